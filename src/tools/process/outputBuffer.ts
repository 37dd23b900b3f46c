/**
 * One output stream, capped while it is read: the first `max` bytes are kept, the rest only
 * counted. Memory per run is bounded by the cap however much a command writes.
 */
export class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte the command wrote to this stream. */
  total = 0;

  constructor(private readonly max: number) {}

  /** Adds a chunk; returns the part that was kept (empty once the cap is reached). */
  push(chunk: Buffer): Buffer {
    this.total += chunk.length;
    const room = this.max - this.kept;
    if (room <= 0) return chunk.subarray(0, 0);
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    return part;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  /** The kept bytes as UTF-8 text (a character cut at the cap, or invalid bytes, become U+FFFD). */
  text(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(this.chunks, this.kept));
  }
}
