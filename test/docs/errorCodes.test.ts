import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS, wireCode } from '../../src/core/errors.js';
import { HTTP_ERROR_CODES } from '../../src/http/errorReply.js';

const DOCS = path.resolve(import.meta.dirname, '../../docs/tools');
/** Every code a reply can carry, in either dialect: tool errors as shown, and the HTTP layer's own. */
const WIRE_CODES = new Set([...Object.keys(HTTP_STATUS).map(wireCode), ...HTTP_ERROR_CODES]);
const docs = readdirSync(DOCS)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, text: readFileSync(path.join(DOCS, f), 'utf8') }));

/** The first-column codes of the table under a document's "## Errors" heading. */
function errorTable(text: string): string[] {
  const start = text.search(/^## Errors\s*$/m);
  if (start < 0) return [];
  const section = text.slice(start).split(/\n## /)[0]!;
  return [...section.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]!);
}

describe('error codes in docs/tools', () => {
  it.each(docs)('$file names only codes that replies really carry', ({ text }) => {
    for (const code of errorTable(text)) expect(WIRE_CODES, code).toContain(code);
    // INVALID_PARAMS is an internal name: both dialects show it as INVALID_REQUEST.
    expect(text).not.toContain('INVALID_PARAMS');
  });

  it('the tools with an Errors table have one', () => {
    const withTables = docs.filter(({ text }) => errorTable(text).length > 0).map((d) => d.file);
    expect(withTables).toEqual(expect.arrayContaining(['database.md', 'file_system.md']));
  });
});
