import { ToolError } from '../../core/errors.js';

/** Concurrency caps: at most N runs on this server process and M per caller, refused (not queued) past them. */
export class ProcessSlots {
  private total = 0;
  private readonly perCaller = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerCaller: number,
  ) {}

  /** Takes a slot or throws RATE_LIMITED; call the returned function exactly once when the run is over. */
  acquire(callerId: string): () => void {
    const mine = this.perCaller.get(callerId) ?? 0;
    if (mine >= this.maxPerCaller)
      throw new ToolError(
        'RATE_LIMITED',
        `You already have ${mine} commands running (at most ${this.maxPerCaller}); wait for one to finish.`,
      );
    if (this.total >= this.maxTotal)
      throw new ToolError(
        'RATE_LIMITED',
        `The server is running ${this.total} commands already (at most ${this.maxTotal}); try again shortly.`,
      );
    this.total++;
    this.perCaller.set(callerId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perCaller.get(callerId) ?? 1) - 1;
      if (left <= 0) this.perCaller.delete(callerId);
      else this.perCaller.set(callerId, left);
    };
  }
}
