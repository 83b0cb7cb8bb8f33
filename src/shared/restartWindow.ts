/**
 * The crash-loop guard of a thread that is restarted when it stops: at most `max` restarts within
 * `windowMs`. One more stop inside the window means the thread keeps failing, and it is left stopped
 * (the worker by the host, the fitting thread by the worker).
 */
export class RestartWindow {
  private times: number[] = [];

  constructor(
    readonly max = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a stop at `now` (ms): true when a restart is allowed; false when it is one too many (the window then starts over). */
  allow(now: number): boolean {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    if (this.times.length >= this.max) {
      this.times = [];
      return false;
    }
    this.times.push(now);
    return true;
  }

  reset(): void {
    this.times = [];
  }
}
