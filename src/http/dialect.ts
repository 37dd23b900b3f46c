import type { Request, Response } from 'express';
import type { Dialect } from '../core/context.js';
import { stateOf } from './requestState.js';

export { detectDialect } from './requestFacts.js';

/** Best guess from raw text, for errors that happen before the body parses. */
export function guessDialectFromText(text: string): Dialect {
  return /"jsonrpc"\s*:/.test(text.slice(0, 4096)) ? 'mcp' : 'envelope';
}

/** The dialect to answer an early error in: the request's facts once read, else MCP on /mcp. */
export function dialectFor(req: Request, res: Response): Dialect | undefined {
  const facts = stateOf(res)?.facts;
  if (facts) return facts.dialect;
  return req.path === '/mcp' ? 'mcp' : undefined;
}
