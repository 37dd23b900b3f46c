import type { OutgoingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RequestHandler, Response } from 'express';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

// Brotli's default quality (11) costs seconds per megabyte; 5 compresses JSON nearly as well, fast.
const BROTLI = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
};
const GZIP = { level: 6 };

function isJson(type: unknown): boolean {
  if (typeof type !== 'string') return false;
  const media = type.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

type Encoding = 'br' | 'gzip';

/**
 * gzip or brotli for JSON replies of at least `minBytes`, when the client's Accept-Encoding allows
 * it. A JSON reply is complete before it is sent (the dialects serialise it whole), so it is
 * collected, measured and compressed in one go on the thread pool (not the event loop). Anything
 * else, SSE streams above all, passes straight through untouched: an event is never held back.
 */
export function compressJson(options: { minBytes: number }): RequestHandler {
  return function compressReply(req, res, next) {
    // Without an Accept-Encoding nothing is ever compressed: no need to watch the reply, only to
    // say it could have varied (the hot path of scripts and most MCP clients).
    if (req.headers['accept-encoding'] === undefined || req.method === 'HEAD') {
      res.vary('Accept-Encoding');
      return next();
    }
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    const wanted: Encoding | undefined = encoding === 'br' || encoding === 'gzip' ? encoding : undefined;
    const writeHead = res.writeHead;
    const write = res.write;
    const end = res.end;
    let collecting = false;
    let decided = false;
    const chunks: Buffer[] = [];
    const restore = () => {
      res.writeHead = writeHead;
      res.write = write;
      res.end = end;
    };

    /** Called before headers go out: collect only a JSON body that could be compressed. */
    const decide = (): boolean => {
      if (decided) return collecting;
      decided = true;
      if (!isJson(res.getHeader('content-type'))) {
        restore();
        return false;
      }
      res.vary('Accept-Encoding');
      const status = res.statusCode;
      const declared = Number(res.getHeader('content-length') ?? Number.NaN);
      collecting =
        wanted !== undefined &&
        status !== 204 &&
        status !== 304 &&
        !res.getHeader('content-encoding') &&
        !/\bno-transform\b/i.test(String(res.getHeader('cache-control') ?? '')) &&
        !(declared < options.minBytes);
      if (!collecting) restore();
      return collecting;
    };

    res.writeHead = function deferHead(this: Response, status: number, ...rest: unknown[]) {
      const headers = rest.find((r) => typeof r === 'object' && r !== null) as OutgoingHttpHeaders | unknown[] | undefined;
      const message = rest.find((r) => typeof r === 'string') as string | undefined;
      if (Array.isArray(headers)) {
        restore();
        return writeHead.call(this, status, ...(rest as []));
      }
      res.statusCode = status;
      if (message) res.statusMessage = message;
      for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value);
      if (decide()) return this;
      return writeHead.call(this, res.statusCode);
    } as Response['writeHead'];

    res.write = function collect(this: Response, chunk: unknown, ...rest: unknown[]) {
      // Passed on exactly as called; `never` because Node's overloads cannot be spread into.
      if (!decide()) return write.apply(this, [chunk, ...rest] as never);
      if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, rest[0]));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    } as Response['write'];

    res.end = function finish(this: Response, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'function') {
        rest = [chunk];
        chunk = undefined;
      }
      if (!decide()) return end.apply(this, [chunk, ...rest] as never);
      if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, rest[0]));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      const body = Buffer.concat(chunks);
      restore();
      // Node's end(chunk, callback) overload; the alias only names that signature for the checker.
      const finishWith = (data: Buffer) => (end as (chunk: Buffer, cb?: () => void) => Response).call(res, data, callback);
      if (body.length < options.minBytes) {
        res.setHeader('Content-Length', body.length);
        finishWith(body);
        return this;
      }
      (wanted === 'br' ? brotli(body, BROTLI) : gzip(body, GZIP)).then(
        (packed) => {
          res.setHeader('Content-Encoding', wanted!);
          res.setHeader('Content-Length', packed.length);
          finishWith(packed);
        },
        () => {
          res.setHeader('Content-Length', body.length);
          finishWith(body);
        },
      );
      return this;
    } as Response['end'];

    next();
  };
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
