// A family's finished runs as sibling curves (fit/siblingForecast.ts) for its live runs' forecasts:
// built once per family and snapshot round, not once per live run and call, and each run's per-step
// LR schedule kept while its logged LR series is unchanged. Built per live run, the list was
// quadratic in the runs (live runs × siblings, each sibling's schedule rebuilt step by step): on
// 100 copies of examples/sweep it was 13% of a fitted scan's CPU, and most of it at 1,000.
import type { Run, Series } from '../runs/types';
import { allNonEmbedding, siblingSize, type SiblingCurve } from '../fit/siblingForecast';
import { scheduleFromLog } from '../laws/schedule';
import { trainLoss, type RunCatalog } from './runCatalog';
import type { RunViews } from './runViews';
import type { SeriesHashes } from './seriesHashes';

export interface FamilySibling {
  curve: SiblingCurve;
  params?: number;
  /** The sibling's identity and inputs (run id, N, loss and LR hashes): part of the fit keys. */
  hash: string;
}

export interface FamilySiblings {
  siblings: FamilySibling[];
  /** The siblings' hashes joined: the key of the family's schedule response. */
  key: string;
  /** N is non-embedding for the siblings and the family's live runs alike (every one knows it), else total for all. */
  nonEmbedding: boolean;
}

export class SiblingCurves {
  private runs: readonly Run[] = [];
  /** This round's siblings per family. */
  private readonly byFamily = new Map<string, FamilySiblings>();
  /** Per-step LR of each logged LR series (the index makes new arrays when a series changes), to the step it was built for. */
  private readonly schedules = new WeakMap<Float64Array, { steps: Float64Array; lastStep: number; lr: Float64Array }>();

  constructor(
    private readonly catalog: RunCatalog,
    private readonly views: RunViews,
    private readonly hashes: SeriesHashes,
  ) {}

  /** The runs of a new round: every family's list is rebuilt on first use. */
  useRuns(runs: readonly Run[]): void {
    if (runs === this.runs) return;
    this.runs = runs;
    this.byFamily.clear();
  }

  /** Finished, healthy runs of `family` with a train loss (20 points or more) and a logged LR, in run order. */
  of(family: string): FamilySiblings {
    let found = this.byFamily.get(family);
    if (found) return found;
    const picked: { run: Run; loss: Series; lr: Series }[] = [];
    const live: Run[] = [];
    for (const other of this.runs) {
      if (this.catalog.familyName(other) !== family || this.catalog.group(other.id)?.excluded) continue;
      if (other.status === 'live') live.push(other);
      if (other.status !== 'finished') continue;
      const loss = trainLoss(other);
      const lr = other.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
      if (!loss || !lr || loss.steps.length < 20 || this.views.health(other, loss).excludeFromFits) continue;
      picked.push({ run: other, loss, lr });
    }
    const nonEmbedding = allNonEmbedding([...picked.map((p) => p.run.hyper), ...live.map((r) => r.hyper)]);
    const siblings: FamilySibling[] = [];
    for (const { run: other, loss, lr } of picked) {
      const last = Math.max(loss.steps[loss.steps.length - 1], lr.steps[lr.steps.length - 1]);
      const params = siblingSize(other.hyper, nonEmbedding);
      siblings.push({
        curve: { runId: other.id, steps: loss.steps, losses: loss.values, lr: this.schedule(lr, last), params },
        params,
        hash: `${other.id}:${params ?? '-'}:${this.hashes.of(loss)}:${this.hashes.of(lr)}`,
      });
    }
    found = { siblings, key: siblings.map((s) => s.hash).join('|'), nonEmbedding };
    this.byFamily.set(family, found);
    return found;
  }

  /** scheduleFromLog of a logged LR series to `lastStep`, remembered per series. */
  private schedule(lr: Series, lastStep: number): Float64Array {
    const memo = this.schedules.get(lr.values);
    if (memo && memo.steps === lr.steps && memo.lastStep === lastStep) return memo.lr;
    const schedule = scheduleFromLog(lr.steps, lr.values, lastStep);
    this.schedules.set(lr.values, { steps: lr.steps, lastStep, lr: schedule });
    return schedule;
  }
}
