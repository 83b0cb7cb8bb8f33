// When a config's estimate (lens, hover, planned point) goes stale, decided where the inputs are:
// in the worker. A number, the estimates generation, goes up whenever something an estimate depends
// on changed: a family law (its runs, parameters or error), any setting the worker estimates with
// (`scalingLens.hardware.*`, the fit budget, ...), or the fits an early answer did not wait for
// having landed. Snapshots carry it (`Snapshot.estimates`); the host keeps an estimate per document
// version and asks again only when the number moves.
import type { FamilyLaw } from './snapshot';

export class EstimateFreshness {
  private current = 1;
  private lawsKey = '';
  private settingsKey: string | undefined;
  /** An estimate was answered before the fits it needed had landed: stale once nothing is being fitted. */
  private answeredEarly = false;

  /** The generation estimates made now belong to. */
  get generation(): number {
    return this.current;
  }

  /** The worker's settings as configured: any change makes every estimate stale (the first one does not). */
  configured(settings: unknown): void {
    const key = JSON.stringify(settings);
    if (this.settingsKey !== undefined && key !== this.settingsKey) this.current++;
    this.settingsKey = key;
  }

  /** An estimate was answered; `complete` false when it gave up waiting for its fits (ConfigEstimate.fitsPending). */
  answered(complete: boolean): void {
    if (!complete) this.answeredEarly = true;
  }

  /** A snapshot was built: its family laws, and the fits it still waits for. Returns the generation to send with it. */
  snapshotBuilt(families: readonly FamilyLaw[], fitting: number): number {
    // A provisional law (a first scan's, FamilyLaw.provisional) moves the generation as the runs it is of
    // do mid-read (the lens's answer from the runs read so far follows the dashboard's), but not as it is
    // refitted to live runs' forecasts landing once every file is read: the full law's landing does then.
    const key = JSON.stringify(
      families.map((f) =>
        f.provisional
          ? [f.family, 'provisional', f.provisional.filesToRead !== undefined ? f.runIds : undefined]
          : [f.family, f.runIds, f.fit?.parameters, f.error],
      ),
    );
    const lawsChanged = key !== this.lawsKey;
    this.lawsKey = key;
    if (lawsChanged || (this.answeredEarly && fitting === 0)) {
      this.current++;
      this.answeredEarly = false;
    }
    return this.current;
  }
}
