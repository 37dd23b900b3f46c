/**
 * Runs async jobs one at a time, in call order. The index uses it so a workspace event and a
 * background scan never interleave their read-then-write steps on the same file.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
