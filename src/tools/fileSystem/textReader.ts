import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from './abort.js';

/** Which lines to return. Line indexes are 0-based here; results report 1-based numbers. */
export type LineSelection = { kind: 'all' } | { kind: 'range'; skip: number; take?: number } | { kind: 'tail'; count: number };

export interface TextRead {
  binary: false;
  content: string;
  totalLines: number;
  /** 1-based number of the first returned line. */
  startLine: number;
  /** 1-based number of the last returned line (startLine - 1 when none). */
  endLine: number;
  /** True when the byte cap cut the selection short. */
  truncated: boolean;
  etag: string;
}

const CHUNK = 64 * 1024;
/** Like git: a NUL byte near the start means binary. Invalid UTF-8 anywhere means binary too. */
const SNIFF_BYTES = 8000;

interface Line {
  text: string;
  bytes: number;
  cut: boolean;
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * One pass over an open file: hashes every byte, counts lines and keeps only the selected lines,
 * never more than `maxBytes` of them. Memory stays bounded whatever the file size. Lines keep
 * their `\n` (and `\r`), so reading a whole file returns exactly its content.
 */
export async function readTextSelection(
  handle: FileHandle,
  selection: LineSelection,
  maxBytes: number,
  signal: AbortSignal,
  onProgress?: (bytesRead: number) => void,
): Promise<TextRead | { binary: true }> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buffer = Buffer.allocUnsafe(CHUNK);

  // `out.slice(head)` are the kept lines; tail mode drops from the front by moving `head`
  // (Array#shift is O(n), and a tail can hold a million one-byte lines).
  let out: Line[] = [];
  let head = 0;
  let outBytes = 0;
  let full = false;
  let lineIndex = 0;
  let current: Line = { text: '', bytes: 0, cut: false };
  let lineStarted = false;

  const wanted = (i: number): boolean => {
    if (selection.kind === 'all') return !full;
    if (selection.kind === 'tail') return true;
    return !full && i >= selection.skip && (selection.take === undefined || i < selection.skip + selection.take);
  };
  // Security: never more than `maxBytes` of text is held, however large the file or its lines.
  const lineCap = (): number => (selection.kind === 'tail' ? maxBytes : maxBytes - outBytes);

  const append = (piece: string) => {
    lineStarted = true;
    if (!wanted(lineIndex) || current.cut) return;
    const bytes = Buffer.byteLength(piece, 'utf8');
    const room = lineCap() - current.bytes;
    if (bytes <= room) {
      current.text += piece;
      current.bytes += bytes;
    } else {
      const part = cutToBytes(piece, Math.max(0, room));
      current.text += part;
      current.bytes += Buffer.byteLength(part, 'utf8');
      current.cut = true;
    }
  };

  const endLine = () => {
    if (wanted(lineIndex)) {
      if (selection.kind === 'tail') {
        out.push(current);
        outBytes += current.bytes;
        while (out.length - head > selection.count) outBytes -= out[head++]!.bytes;
        while (outBytes > maxBytes && head < out.length) outBytes -= out[head++]!.bytes;
        if (head > 1024 && head * 2 > out.length) {
          out = out.slice(head);
          head = 0;
        }
      } else if (current.bytes === 0 && current.cut) {
        full = true; // not even a byte of this line fits
      } else {
        out.push(current);
        outBytes += current.bytes;
        if (current.cut) full = true;
      }
    }
    lineIndex++;
    current = { text: '', bytes: 0, cut: false };
    lineStarted = false;
  };

  const feed = (text: string) => {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl + 1;
      append(text.slice(start, end));
      if (nl !== -1) endLine();
      start = end;
    }
  };

  let position = 0;
  let lastReported = 0;
  for (;;) {
    throwIfAborted(signal);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    if (position < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - position).includes(0)) return { binary: true };
    position += bytesRead;
    hash.update(chunk);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      return { binary: true };
    }
    feed(text);
    if (onProgress && position - lastReported >= 8 * CHUNK) {
      lastReported = position;
      onProgress(position);
    }
  }
  try {
    feed(decoder.decode());
  } catch {
    return { binary: true };
  }
  if (lineStarted) endLine();

  out = out.slice(head);
  const totalLines = lineIndex;
  let startLine: number;
  let truncated: boolean;
  if (selection.kind === 'tail') {
    startLine = totalLines - out.length + 1;
    truncated = out.length < Math.min(selection.count, totalLines) || out.some((l) => l.cut);
  } else {
    const skip = selection.kind === 'range' ? selection.skip : 0;
    startLine = skip + 1;
    const requestedEnd = selection.kind === 'range' && selection.take !== undefined ? skip + selection.take : Infinity;
    const available = Math.max(0, Math.min(requestedEnd, totalLines) - skip);
    truncated = out.length < available || out.some((l) => l.cut);
  }
  return {
    binary: false,
    content: out.map((l) => l.text).join(''),
    totalLines,
    startLine,
    endLine: startLine + out.length - 1,
    truncated,
    etag: hash.digest('hex'),
  };
}
