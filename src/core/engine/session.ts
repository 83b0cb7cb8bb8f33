// The engine as the extension's worker runs it, over the worker's life: files in, snapshots out
// (coalesced into rounds, and one more when a live run's kept fit falls due), the estimates
// generation each snapshot carries (estimateFreshness.ts), and the editor's requests answered once
// the fits they need have landed (fitWaits.ts). Everything that decides lives here; the worker's
// entry (src/worker/worker.ts) only turns messages into these calls.
import { ScalingWorkspace } from '../workspace';
import { EstimateFreshness } from '../estimateFreshness';
import { planBudgetRequest, type PlanBudgetRequest } from '../plan/budgetRequest';
import { planLadderRequest, type PlanLadderRequest } from '../plan/ladderRequest';
import { withLadderRecord } from '../plan/ladderManifest';
import { shapeParamsOfConfig } from '../plan/ladderConfigs';
import { NARROWING_SEARCH_MAX_MS } from '../plan/frontierNarrowing';
import { readTextFile, READ_CAPS } from '../safeFile';
import { dirname } from 'node:path';
import type { ConfigEstimate, FamilyLaw, Snapshot } from '../snapshot';
import { whenFitted, type LandingFitter, type TrackedFitter } from './fitWaits';
import { folderBoundary, readFirst, runFolders, type QueuedFile } from './readOrder';
import type { WorkspaceOptions } from './options';

/** Coalesces bursts of file events (a trainer writing every step) and of landing fits into one round. */
const RECOMPUTE_DELAY_MS = 150;
/**
 * While fits land in a burst (a workspace of many runs being fitted), rounds are spaced by this many
 * times the last round's build time: a round rebuilds every run's view, so one per landed fit made
 * the rebuilds quadratic in the number of runs. The first answer and the last fit of a burst are
 * shown after RECOMPUTE_DELAY_MS as before.
 */
const BURST_SPACING_PER_BUILD_MS = 10;
/** Longest a round waits while fits keep landing (progress stays visible). */
const MAX_BURST_DELAY_MS = 3000;
/**
 * A long read (a rescan of many runs) is read in slices of about this long, a round and the
 * fitting threads' answers going between them: fits start on the runs read so far, and the
 * first answer is shown before every log is read.
 */
const READ_SLICE_MS = 50;
/** Largest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** How long an estimate or plan waits for the fits it needs (the host gives up on a request after 30 s). */
const ANSWER_WAIT_MS = 20_000;
/** Rounds of fits one answer may wait for (a family law, then its over-training law and sweep advice, need 2 or 3). */
const MAX_ANSWER_ROUNDS = 8;
/**
 * While an estimate waits for its family's law, a provisional one is tried again after fits land, at
 * most this often: each try walks every run's point (about a tenth of a second at 1,000 runs).
 */
const PROVISIONAL_RETRY_GAP_MS = 250;

/** What the session reads of the worker's settings (shared/protocol.ts `WorkerSettings`). */
export interface SessionSettings {
  fitTimeBudgetMs: number;
  /** Files that stopped the worker twice while it read them: each gets a diagnostic. */
  quarantined?: string[];
}

/** The fitting threads (worker/fitClient.ts): tracked and waited for, restarted after a crash loop. */
export interface SessionFitter extends TrackedFitter {
  /** Fits run again after a crash loop stopped them. */
  resume(): void;
  /** Starts the fitting threads on a small fit while files are read (worker/fitClient.ts `warm`); `firstLaneFree`: the first without one. */
  warm?(firstLaneFree?: boolean): void;
  /** Fits waiting or running (worker/fitClient.ts): none left means the last of a burst landed. */
  readonly pending?: number;
  /** Answers cut short by the time budget are forgotten, so asking again redoes them. */
  forgetTimedOut(): void;
  /** At the next fit landed (worker/fitClient.ts): without it, a provisional estimate waits for the whole round of fits. */
  nextLanding?: LandingFitter['nextLanding'];
}

export interface EngineSessionOptions {
  fitter: SessionFitter;
  settings: SessionSettings;
  /** The engine's options until the first `configure`. */
  engine: WorkspaceOptions;
  /** A snapshot for the host. */
  onSnapshot(snapshot: Snapshot): void;
  /** Clock for a round's build time, ms (performance.now unless a test sets it). */
  now?: () => number;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Reading stopped for now (a slice ended, or every file was read): the worker's crash record is cleared. */
  readPaused?(): void;
}

type File = { path: string; root: string };

export class EngineSession {
  /** One engine for the session's life: its snapshot versions only ever increase. */
  private readonly engine: ScalingWorkspace;
  private settings: SessionSettings;
  /** Whether the host's config estimates are still good: decided here, sent with each snapshot. */
  private readonly freshness = new EstimateFreshness();
  /**
   * False until the host sends the file list (`reset`). A worker restarted after a crash is
   * configured first; a snapshot then would show the user an empty workspace until the rescan lands.
   */
  private filesKnown = false;
  private recomputeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the scheduled round runs (Date.now() ms). */
  private recomputeAt = 0;
  /** How long the last round took to build, ms: spaces the rounds of a burst of landed fits. */
  private lastBuildMs = 0;
  /**
   * Whether a round since the last rescan showed a fit (a run's forecast or a family's full law): until
   * then every landing is shown without waiting (the fitting threads' warm-up lands first), and reading
   * held for the looked-at run's answer stays held. A provisional law (a first scan's, FamilyLaw.provisional)
   * is not that answer: fitted first on another thread, it would end the hold and put the run's forecast
   * behind a burst's spacing (review E).
   */
  private answerShown = false;
  /** Whether a snapshot was posted in the session's life: a rescan's rounds mid-read then are not posted (runs would go and come back). */
  private posted = false;
  /** Files still to read, in reading order (readOrder.ts), and the next one's place. */
  private toRead: QueuedFile[] = [];
  private nextToRead = 0;
  /** Set while files remain to read: resolved once all are. Estimates and plans wait for it. */
  private readingDone: { promise: Promise<void>; resolve: () => void } | undefined;
  /**
   * A rescan (`reset`) is being read: only then does an estimate answer from the runs read so far. An
   * ordinary read of changed files keeps the law the workspace has (review C: a startup law came back).
   */
  private rescanReading = false;
  /** The folders of the runs looked at and of the config asked for, read first. */
  private lookedAtIds: readonly string[] = [];
  private configFolders: string[] = [];
  /** Resolved when the slice of reading in progress ends: an estimate asked mid-read is tried again then. */
  private sliceEnded: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Reading held for the first answer (FIRST_ANSWER_HOLD_MS): the timer that resumes it. */
  private readHold: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: EngineSessionOptions) {
    this.settings = options.settings;
    this.engine = new ScalingWorkspace(withPointFirst(options.engine));
  }

  /** New settings, and the engine's options made from them. */
  configure(settings: SessionSettings, engine: WorkspaceOptions): void {
    if (settings.fitTimeBudgetMs !== this.settings.fitTimeBudgetMs) this.options.fitter.forgetTimedOut();
    this.settings = settings;
    this.freshness.configured(settings);
    this.engine.configure(withPointFirst(engine));
    this.noteQuarantined();
    if (this.filesKnown) this.scheduleRecompute();
  }

  /** A rescan: forget every run and read `files` instead, as one step so nothing flickers. */
  reset(files: File[], beforeRead?: (index: number, file: File) => void): void {
    this.filesKnown = true;
    this.answerShown = false;
    this.options.fitter.resume();
    this.engine.clear();
    this.noteQuarantined();
    // The files of the rescan before, not read yet, are not read.
    this.toRead = [];
    this.nextToRead = 0;
    // The fitting threads load and compile the fitting code while the files are read, on a small fit
    // of their own. With a looked-at run among the files, its point fit (asked first, after the first
    // slice) is the first thread's warm-up instead: one cut short by its budget on a busy machine is
    // asked again (curveFits.ts MAX_POINT_RETRIES).
    this.options.fitter.warm?.(
      runFolders(
        this.lookedAtIds,
        files.map((file, index) => ({ file, index })),
      ).length > 0,
    );
    this.rescanReading = true;
    this.read(files, beforeRead);
  }

  /**
   * Files created or changed; `beforeRead` is called before each is read. What the user sees is read
   * first (readOrder.ts). A long read goes on in slices (READ_SLICE_MS) after this returns.
   */
  read(files: File[], beforeRead?: (index: number, file: File) => void): void {
    const queued = this.toRead.slice(this.nextToRead);
    for (let i = 0; i < files.length; i++) queued.push({ file: files[i], index: i, beforeRead });
    this.toRead = readFirst(queued, this.seenFolders(queued));
    this.nextToRead = 0;
    if (this.readingDone) return;
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    this.readingDone = { promise, resolve };
    this.readSlice(true);
  }

  /**
   * Reads files until the slice's time is up (at a folder's end), or right after the folders the
   * user sees: a round follows at once, so their fits start while the rest is read.
   */
  private readSlice(first: boolean, whileHeld = false): void {
    const started = performance.now();
    let seenRead = false;
    let before: QueuedFile | undefined;
    while (this.nextToRead < this.toRead.length) {
      const q = this.toRead[this.nextToRead];
      if (before && folderBoundary(before, q) && ((before.seen && !q.seen) || performance.now() - started >= READ_SLICE_MS)) break;
      before = q;
      this.nextToRead++;
      q.beforeRead?.(q.index, q.file);
      // One unreadable file must not stop the others; the index reports its own diagnostics.
      try {
        this.engine.update(q.file.path, q.file.root);
      } catch (error) {
        this.options.log('error', `${q.file.path}: ${describe(error)}`);
      }
      seenRead ||= q.seen === true;
    }
    this.options.readPaused?.();
    this.sliceEnded?.resolve();
    this.sliceEnded = undefined;
    if (this.nextToRead < this.toRead.length) {
      // A slice read while reading is held (for an estimate's first law): the hold stays.
      if (whileHeld && this.readHold) return;
      // The first slice's runs (the ones the user sees) are asked for at once; later rounds follow landed fits.
      if (first || seenRead) this.scheduleRecompute(0);
      // On a first scan (its rounds are shown mid-read) the rest waits for the answer of what the user
      // sees: the fitting thread and the reading share the process's CPU (a busy machine's scheduler
      // gives a process one share, sched autogroup). Held at most one fit's time budget; the round
      // showing the answer (or asking for no fit) resumes reading.
      if (seenRead && !this.answerShown && !this.posted) this.readHold = setTimeout(() => this.resumeReading(), this.settings.fitTimeBudgetMs);
      else setImmediate(() => this.readSlice(false));
      return;
    }
    this.toRead = [];
    this.nextToRead = 0;
    clearTimeout(this.readHold);
    this.readHold = undefined;
    // After a rescan, the runs not read again are gone: their fits are forgotten (workspace.rescanRead).
    this.engine.rescanRead();
    this.rescanReading = false;
    const done = this.readingDone;
    this.readingDone = undefined;
    this.scheduleRecompute();
    done?.resolve();
  }

  /** Reading held for the first answer goes on. */
  private resumeReading(): void {
    if (!this.readHold) return;
    clearTimeout(this.readHold);
    this.readHold = undefined;
    setImmediate(() => this.readSlice(false));
  }

  /** The folders read first: the looked-at runs', then the config asked for's. */
  private seenFolders(queued: readonly QueuedFile[]): string[] {
    return [...runFolders(this.lookedAtIds, queued), ...this.configFolders];
  }

  /** While files remain to read, those of `folders` move ahead of the rest. */
  private readSooner(): void {
    if (!this.readingDone) return;
    const queued = this.toRead.slice(this.nextToRead);
    this.toRead = readFirst(queued, this.seenFolders(queued));
    this.nextToRead = 0;
  }

  deleted(paths: string[]): void {
    for (const p of paths) this.engine.remove(p);
    if (this.readingDone) {
      // A file deleted before it was read is not read (a later change reads it again).
      const gone = new Set(paths);
      this.toRead = this.toRead.slice(this.nextToRead).filter((q) => !gone.has(q.file.path));
      this.nextToRead = 0;
    }
    this.scheduleRecompute();
  }

  /** The runs the user looks at: their fits go first (and their files, while a rescan reads). */
  lookAt(runIds: string[]): void {
    this.lookedAtIds = [...runIds];
    this.readSooner();
    if (this.engine.lookAt(runIds) && this.filesKnown) this.scheduleRecompute();
  }

  /**
   * A fit landed (of `slot`, when the fitter says): a round soon shows it. Until the rescan's first answer is shown, at once; the last of
   * a burst (no fit left waiting or running) after the usual short delay; those between wait in
   * proportion to the last round's build time, so a burst of landings is shown in a few rounds.
   */
  fitLanded(slot?: string): void {
    const last = (this.options.fitter.pending ?? 0) === 0;
    // The rescan's first answer is shown at once (it is what the user waits for; nothing to coalesce yet).
    if (!this.answerShown) this.scheduleRecompute(0);
    // A family's provisional law (a first scan's: familyFits.ts firstLaws; a few per family) after the
    // usual short delay, not behind a burst's spacing (up to MAX_BURST_DELAY_MS).
    else if (slot?.startsWith('provisional:')) this.scheduleRecompute();
    else if (last) this.scheduleRecompute();
    else this.scheduleRecompute(Math.min(MAX_BURST_DELAY_MS, Math.max(RECOMPUTE_DELAY_MS, BURST_SPACING_PER_BUILD_MS * this.lastBuildMs)));
  }

  /**
   * A config's estimate, once the fits it needs have landed (or marked `fitsPending` after ANSWER_WAIT_MS).
   * When its family's law waits for live runs' forecasts (a big sweep's first minutes), a provisional
   * answer without those live runs comes first (LossEstimate.provisional), also `fitsPending`: the
   * family's law landing makes it stale (estimateFreshness.ts) and the lens asks again.
   */
  async estimateConfig(path: string, text: string): Promise<ConfigEstimate> {
    // The config's folder (a run's own config, most often) is read next, if a rescan is still reading.
    this.configFolders = [dirname(path)];
    this.readSooner();
    const { value: estimate, complete } = await this.estimateWhenFitted(path, text);
    // The lens asks again once the fits have landed (a new Snapshot.estimates then).
    if (!complete) estimate.fitsPending = true;
    this.freshness.answered(complete);
    return estimate;
  }

  /**
   * `whenFitted` for an estimate, one compute a round: asked provisionally (engine/familyFits.ts gives
   * a family a provisional law only when it has no law yet and waits only for live runs' forecasts, so
   * otherwise it is the full answer), it returns as soon as a provisional loss comes. While that law's
   * fit runs, it computes again at the next fit landed (the fitting threads' `nextLanding`) rather
   * than once the whole round (the live runs' chain, 17 s at 1,000 runs) has landed.
   */
  private async estimateWhenFitted(path: string, text: string): Promise<{ value: ConfigEstimate; complete: boolean }> {
    // While a rescan reads (1,000 runs: 4-11 s), a provisional answer from the family's runs read so far,
    // tried again as reading goes on; the answer once every file is read follows (the generation moves).
    // Asked at once: the looked-at run's point forecast goes ahead of its law in the fitting threads
    // (AHEAD_OF_EVERY_KIND), so the law need not wait for that run's answer to be shown.
    while (this.readingDone) {
      const reading = this.readingDone.promise;
      const began = performance.now();
      const early = this.rescanReading ? this.midReadEstimate(path, text) : undefined;
      if (early?.value) return { value: early.value, complete: false };
      // Reading held for the looked-at run's answer, and too few of the family's runs read for a law: one
      // more slice is read (its law then fitted right after that answer, ahead of the run's interval).
      // Not for a config naming no family: no law answers it before every file is read, and reading
      // on took the CPU the hold keeps for the looked-at run's fit.
      if (early && !early.asked && early.named && this.readHold) {
        this.readSlice(false, true);
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const triedMs = performance.now() - began;
      // Tried again at the next fit landed (its law, most often), slice read, or after a gap, whichever is first.
      const landed = this.options.fitter.nextLanding?.(PROVISIONAL_RETRY_GAP_MS);
      const sliced = (this.sliceEnded ??= promiseWithResolve()).promise;
      await Promise.race([reading, sliced, new Promise((resolve) => setTimeout(resolve, PROVISIONAL_RETRY_GAP_MS)), ...(landed ? [landed] : [])]);
      // Each try walks every run read so far: at most a third of the thread's time goes to them.
      const rest = 3 * triedMs - (performance.now() - began);
      if (rest > 0 && this.readingDone) await new Promise((resolve) => setTimeout(resolve, rest));
    }
    const fitter = this.options.fitter;
    const giveUpAt = Date.now() + ANSWER_WAIT_MS;
    let provisional = true;
    for (let round = 1; ;) {
      let family: FamilyLaw | undefined;
      const began = Date.now();
      const { value, waiting } = fitter.track(() =>
        this.engine.estimateConfig(path, text, readSibling, Number.POSITIVE_INFINITY, { provisional, onFamily: (f) => (family = f) }),
      );
      if (waiting.length === 0) return { value, complete: true };
      if (value.predictions.loss?.provisional) return { value, complete: false };
      // A provisional law that could not be fitted: the full answer is waited for as before.
      if (family?.provisional && family.error !== undefined && provisional) {
        provisional = false;
        continue;
      }
      const left = giveUpAt - Date.now();
      if (left <= 0) return { value, complete: false };
      const provisionalComing = provisional && family?.provisional !== undefined && family.fit === undefined && fitter.nextLanding !== undefined;
      if (provisionalComing) {
        // Each try walks every run's point (about a tenth of a second at 1,000 runs): at most one per PROVISIONAL_RETRY_GAP_MS.
        await fitter.nextLanding!(left);
        const gap = PROVISIONAL_RETRY_GAP_MS - (Date.now() - began);
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(gap, Math.max(0, giveUpAt - Date.now()))));
        continue;
      }
      if (round >= MAX_ANSWER_ROUNDS || (await fitter.settled(waiting, left)) !== 'answered') return { value, complete: false };
      round++;
    }
  }

  /**
   * A config's estimate from its family's runs read so far (FitFamiliesOptions.midRead), or undefined
   * when it has none yet (too few model sizes read, its law being fitted, or the config names no family:
   * which family it would be is known only once every file is read); `asked`: that law is being fitted or shown;
   * `named`: the config names its family (a loss is to be predicted for it).
   */
  private midReadEstimate(path: string, text: string): { value: ConfigEstimate | undefined; asked: boolean; named: boolean } {
    const filesToRead = this.toRead.length - this.nextToRead;
    let family: FamilyLaw | undefined;
    let named = false;
    const { value } = this.options.fitter.track(() =>
      this.engine.estimateConfig(path, text, readSibling, Number.POSITIVE_INFINITY, {
        provisional: true,
        midRead: { filesToRead },
        onFamily: (f) => (family = f),
        onFamilyNamed: (name) => (named = name !== undefined),
      }),
    );
    // A law of the runs read so far is asked (or shown) only once they span enough sizes (familyFits.ts midReadLaw).
    const asked = (family as FamilyLaw | undefined)?.provisional?.filesToRead !== undefined;
    return { value: value.predictions.loss?.provisional?.filesToRead !== undefined ? value : undefined, asked, named };
  }

  /** A budget's plan on the chosen family's law; throws the planner's error. */
  async planBudget(request: PlanBudgetRequest): Promise<Extract<ReturnType<typeof planBudgetRequest>, { plan: unknown }>> {
    // Plans are calibrated on the family laws: asked for right after a start, they wait for those fits.
    const { value: planned } = await this.whenFitted(() =>
      planBudgetRequest(
        request,
        this.engine.familyLaws(),
        this.engine.hardware,
        (law) => this.engine.overtrainLaw(law),
        // Only the search for runs that would narrow N* uses it: capped, as it stalls log reading.
        Date.now() + Math.min(this.settings.fitTimeBudgetMs, NARROWING_SEARCH_MAX_MS),
      ),
    );
    if ('error' in planned) throw new Error(planned.error);
    return planned;
  }

  /** The ladder of runs before a target, on the family's runs and law; throws the planner's error. */
  async planLadder(request: PlanLadderRequest): Promise<Extract<ReturnType<typeof planLadderRequest>, { plan: unknown }>> {
    const runs = this.engine
      .runs()
      .map((r) => ({ id: r.id, name: r.loggedName ?? r.name, family: r.hyper.family, status: r.status, params: r.hyper.params, tokens: r.hyper.tokens }));
    // A plan written in an earlier session (its PLAN.json) is the earlier plan when none is shown.
    const { request: ladder, problems } = withLadderRecord(request);
    // Each planned run's N as its written config counts it (one counter per plan: shapes are memoized).
    const shapeParams = shapeParamsOfConfig(request.config);
    // The search's time budget starts with each attempt, not before the wait for fits (which may be longer).
    const { value: planned } = await this.whenFitted(() =>
      planLadderRequest(
        ladder,
        this.engine.familyLaws(),
        runs,
        this.engine.hardware,
        Date.now() + this.settings.fitTimeBudgetMs,
        problems,
        (law) => this.engine.overtrainLaw(law),
        shapeParams,
      ),
    );
    if ('error' in planned) throw new Error(planned.error);
    return planned;
  }

  private whenFitted<T>(compute: () => T): Promise<{ value: T; complete: boolean }> {
    // Answers are made on every run: a rescan's files are read first. Otherwise computed at once (asks its fits now).
    const reading = this.readingDone?.promise;
    if (reading) return reading.then(() => this.whenFitted(compute));
    return whenFitted(this.options.fitter, compute, { rounds: MAX_ANSWER_ROUNDS, waitMs: ANSWER_WAIT_MS });
  }

  /**
   * One round (a snapshot) after `delayMs`, unless one is due sooner already. A round also schedules
   * the next one when a live run's kept fit falls due (engine.refitDueAt): the prediction of a run
   * whose trainer went quiet between refits is then brought up to date without waiting for an append.
   */
  private scheduleRecompute(delayMs = RECOMPUTE_DELAY_MS): void {
    const at = Date.now() + delayMs;
    if (this.recomputeTimer && this.recomputeAt <= at) return;
    if (this.recomputeTimer) clearTimeout(this.recomputeTimer);
    this.recomputeAt = at;
    this.recomputeTimer = setTimeout(() => {
      this.recomputeTimer = undefined;
      try {
        const now = this.options.now ?? (() => performance.now());
        const startedAt = now();
        const filesToRead = this.toRead.length - this.nextToRead;
        // While a rescan reads, no family law is asked (workspace.ts snapshotNow): an ordinary read keeps asking them.
        const snapshot = this.engine.snapshot(undefined, undefined, this.rescanReading && filesToRead > 0 ? { filesToRead } : undefined);
        this.lastBuildMs = now() - startedAt;
        this.answerShown ||=
          snapshot.runs.some((r) => r.curve !== undefined) || snapshot.families.some((f) => f.fit !== undefined && f.provisional === undefined);
        // The first answer is out, or none is coming (too few points): the held reading goes on.
        if (this.answerShown || snapshot.fitting === 0) this.resumeReading();
        // Mid-read, the round asks for the fits of the runs read so far; it is shown only when nothing was before.
        if (filesToRead === 0 || !this.posted) {
          if (filesToRead > 0) snapshot.filesToRead = filesToRead;
          snapshot.estimates = this.freshness.snapshotBuilt(snapshot.families, snapshot.fitting);
          this.posted ||= filesToRead === 0;
          this.options.onSnapshot(snapshot);
        }
        const due = this.engine.refitDueAt();
        // setTimeout fires at once for delays past 2^31 - 1 ms: cap it, or a far-off due time would spin.
        if (due !== undefined) this.scheduleRecompute(Math.min(MAX_TIMER_DELAY_MS, Math.max(RECOMPUTE_DELAY_MS, due - Date.now())));
      } catch (error) {
        this.options.log('error', `building the snapshot failed: ${describe(error)}`);
      }
    }, delayMs);
  }

  /** Files the host quarantined (they stopped the worker twice): a diagnostic each, as the engine was cleared. */
  private noteQuarantined(): void {
    for (const p of this.settings.quarantined ?? [])
      this.engine.noteSkipped(
        p,
        'stopped the Scaling Lens worker twice while it was read (out of memory or a crash); quarantined, not read again until VS Code restarts',
      );
  }
}

/** The engine's options as the session runs it: what the user sees gets a point forecast first, its interval following. */
function withPointFirst(engine: WorkspaceOptions): WorkspaceOptions {
  return { ...engine, pointForecastsFirst: true };
}

/** A config's sibling file (training_args.json beside config.json): a regular file of config size only (safeFile.ts). */
function readSibling(absPath: string): string | undefined {
  const r = readTextFile(absPath, READ_CAPS.config);
  return 'error' in r ? undefined : r.text;
}

function promiseWithResolve(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
