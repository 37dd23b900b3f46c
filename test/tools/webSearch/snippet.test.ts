import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../../src/tools/webSearch/local/extract.js';
import { makeSnippet } from '../../../src/tools/webSearch/local/snippet.js';

describe('snippets (built by us, not FTS5 snippet())', () => {
  it('marks the query words around the first match, with ellipses where text was left out', () => {
    const text = `${'filler '.repeat(40)}the Shearwaters nest here ${'more '.repeat(40)}`;
    const snippet = makeSnippet(text, ['shearwater', 'nest']);
    expect(snippet).toMatch(/^….*\*\*Shearwaters\*\* \*\*nest\*\* here.*…$/);
    expect(snippet.split(' ').length).toBeLessThanOrEqual(26);
    expect(makeSnippet('no match in here', ['zebra'])).toBe('no match in here');
    expect(makeSnippet('', ['a'])).toBe('');
  });

  it('stays cheap on a huge document dense with the words (FTS5 took minutes here)', () => {
    const dense = 'alpha beta gamma '.repeat(200_000);
    expect(makeSnippet(dense, ['alpha', 'beta', 'gamma'])).toContain('**alpha**');
  });
});

describe('Markdown titles are read without backtracking regexes', () => {
  it.each([
    ['# Title\n', 'Title'],
    ['## Sub ##\n', 'Sub'],
    ['### deeper\n# Top\n', 'Top'],
    ['```\n# not this\n```\n# This\n', 'This'],
    ['---\ntitle: "Front"\n---\n# Heading\n', 'Front'],
    // A long run of spaces made the old /^#{1,2}\s+(.+?)\s*#*\s*$/ backtrack quadratically.
    [`# a${' '.repeat(16_000)}b\n`, 'a b'],
    [`---\ntitle: x${' '.repeat(16_000)}y\n---\n`, 'x y'],
  ])('%j → %j', async (source, title) => {
    expect((await extractDocument('doc.md', source)).title).toBe(title);
  });
});
