/**
 * When to analyse. Recomputing is throttled rather than delayed: an edit made while the
 * page is idle is analysed at once; edits that follow within twice the last analysis's
 * time wait for the next one.
 */
export class Throttle {
  private keyAt = 0;
  /** When the edit waiting to be analysed was made (its keystroke, if one came just
   * before the change); 0 when none is waiting. */
  editAt = 0;
  private timer: number | undefined;
  private queued = false;
  private lastDuration = 0;
  private lastEnd = 0;

  constructor(private readonly analyse: () => void) {}

  /** A key went down in the editor (the edit it makes is dated from it). */
  keyDown(timeStamp: number): void {
    this.keyAt = timeStamp;
  }

  /** The text changed. */
  edited(): void {
    const now = performance.now();
    this.editAt = now - this.keyAt < 100 ? this.keyAt : now;
    this.schedule();
  }

  /** An analysis that began at `start` has just ended. */
  ran(start: number): void {
    this.editAt = 0;
    this.lastEnd = performance.now();
    this.lastDuration = this.lastEnd - start;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queued) return;
    const busy = performance.now() - this.lastEnd < 2 * this.lastDuration;
    if (!busy) {
      // Idle: analyse as soon as the editor's own update is done.
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        this.analyse();
      });
      return;
    }
    this.timer = window.setTimeout(
      () => {
        this.timer = undefined;
        this.analyse();
      },
      Math.min(150, 2 * this.lastDuration),
    );
  }
}
