import type { RequestHandler } from 'express';
import { guessDialectFromText } from './dialect.js';
import { sendError } from './errorReply.js';

export interface JsonBodyOptions {
  limitBytes: number;
  maxDepth: number;
}

/**
 * Deepest array/object nesting in JSON text, found without parsing; stops counting at `limit`.
 * Security: deep nesting is refused before JSON.parse builds the structure, so a small hostile
 * body cannot blow the stack of code that walks it later.
 */
export function nestingDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * Reads a POST body with a hard byte cap, checks its nesting depth, then parses it. Every failure
 * is a clear 4xx in the caller's (guessed) dialect — never a 500.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  return function readJsonBody(req, res, next) {
    if (req.method !== 'POST') return next();
    const declared = Number(req.get('content-length') ?? NaN);
    const tooLarge = () =>
      sendError(res, undefined, {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `The request body is larger than the ${options.limitBytes}-byte limit.`,
      });
    if (Number.isFinite(declared) && declared > options.limitBytes) {
      // Security: refuse before reading a byte of an announced oversized body.
      res.setHeader('Connection', 'close');
      tooLarge();
      req.resume();
      return;
    }
    if (!isJsonContentType(req.get('content-type'))) {
      sendError(res, undefined, {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Send the body as JSON with "Content-Type: application/json".',
      });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > options.limitBytes) {
        done = true;
        res.setHeader('Connection', 'close');
        tooLarge();
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      const dialect = guessDialectFromText(text);
      if (text.trim() === '') {
        sendError(res, dialect, {
          status: 400,
          code: 'INVALID_REQUEST',
          message: 'The request body is empty; send a JSON-RPC 2.0 message or an envelope.',
        });
        return;
      }
      if (nestingDepthExceeds(text, options.maxDepth)) {
        sendError(res, dialect, {
          status: 400,
          code: 'INVALID_REQUEST',
          message: `The JSON body is nested deeper than ${options.maxDepth} levels.`,
        });
        return;
      }
      try {
        req.body = JSON.parse(text);
      } catch {
        sendError(res, dialect, {
          status: 400,
          code: dialect === 'mcp' ? 'PARSE_ERROR' : 'INVALID_REQUEST',
          message: 'The request body is not valid JSON.',
        });
        return;
      }
      next();
    });
  };
}
