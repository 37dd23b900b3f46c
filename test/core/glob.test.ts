import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { compileGlob, GlobSyntaxError, globWork } from '../../src/core/glob.js';
import { Pacer } from '../../src/core/pacer.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const matches = (pattern: string, input: string) => compileGlob(pattern).test(input);

describe('glob syntax (the subset file_system documents)', () => {
  it.each([
    ['*.md', 'a.md', true],
    ['*.md', '.md', true],
    ['*', '.hidden', true],
    ['*', 'a/b', false],
    ['?', 'é', true],
    ['a?c', 'a/c', false],
    ['**', 'a/b/c', true],
    ['a/**', 'a', true],
    ['a/**', 'a/b/c', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['**/*.md', 'a.md', true],
    ['**/*.md', 'x/y/a.md', true],
    ['a**b', 'axb', true],
    ['a**b', 'ax/b', false],
    ['{a,b}', 'b', true],
    ['{a,b}', 'c', false],
    ['{a}', '{a}', true],
    ['{a,b', '{a,b', true],
    ['x{,.bak}', 'x', true],
    ['{a,{b,c}}', 'c', true],
    ['*.{js,ts}', 'x.ts', true],
    ['{a,b/c}', 'b/c', true],
    ['file{1..3}', 'file2', true],
    ['file{1..3}', 'file4', false],
    ['{a..c}', 'b', true],
    ['[abc]', 'b', true],
    ['[a-c]x', 'bx', true],
    ['[!a]', 'b', true],
    ['[!a]', 'a', false],
    ['[^a]', '/', false],
    ['[]]', ']', true],
    ['[a-]', '-', true],
    ['[[:digit:]]', '7', true],
    ['[', '[', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['@(a|b)', 'a', true],
    ['+(a|b)', 'abba', true],
    ['*(a)', '', true],
    ['?(a)x', 'x', true],
    ['!a', 'b', true],
    ['!a', 'a', false],
    ['a+b.c', 'a+b.c', true],
    ['a.b', 'axb', false],
    ['(x)', '(x)', true],
    ['$^|', '$^|', true],
  ])('%s against %s → %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  it('refuses what it cannot match in linear time, and runaway ranges, with a reason', () => {
    expect(() => compileGlob('!(a)')).toThrow(GlobSyntaxError);
    expect(() => compileGlob('@(a|b')).toThrow(/never closed/);
    expect(() => compileGlob('{1..100000}')).toThrow(/more than/);
    expect(() => compileGlob('{1..999}'.repeat(6))).toThrow(/too complex/);
  });

  it('agrees with picomatch (dot: true) on well-formed patterns', () => {
    // Patterns from a grammar of the constructs both document; inputs short enough for picomatch.
    const char = fc.constantFrom('a', 'b', '.', '-');
    const segmentPart = fc.oneof(
      { weight: 4, arbitrary: char },
      { weight: 2, arbitrary: fc.constant('*') },
      { weight: 1, arbitrary: fc.constant('?') },
      { weight: 1, arbitrary: fc.constantFrom('[ab]', '[a-b]', '[^a]', '{a,b}', '{a,.b,}', '@(a|b)', '+(a)', '*(b)') },
    );
    const segment = fc.oneof(
      { weight: 5, arbitrary: fc.array(segmentPart, { minLength: 1, maxLength: 4 }).map((p) => p.join('')) },
      { weight: 1, arbitrary: fc.constant('**') },
    );
    const pattern = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const name = fc.array(char, { minLength: 1, maxLength: 4 }).map((c) => c.join(''));
    const input = fc.array(name, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(pattern, input, (p, s) => {
        // No `.`/`..` segments (readdir never yields them), and not picomatch's quirk where a final
        // `/**` after a segment with a star needs the slash (`*/**` misses `a`, `*?/**` matches it).
        fc.pre(!s.split('/').some((segment) => segment === '.' || segment === '..'));
        fc.pre(!/\*[^/]*\/\*\*$/.test(p));
        // Nor picomatch's brace-first expansion, which turns `**{a,}` into a globstar.
        fc.pre(!/\*\*\{|\}\*\*/.test(p));
        expect(matches(p, s)).toBe(picomatch(p, { dot: true })(s));
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });
});

describe('matching is linear in the input, whatever the pattern', () => {
  const hostile = [
    `${'*?'.repeat(10)}b`,
    `${'a*'.repeat(10)}b`,
    '*a*a*a*a*a*a*a*a*a*a*b',
    `${'**/'.repeat(50)}x`,
    `${'{a,aa,aaa}'.repeat(30)}b`,
    '+(+(+(a|aa)))b',
    '*(a|a|a|a)*(a|a)b',
    `${'?'.repeat(200)}b`,
  ];
  it.each(hostile)('%s expands each state at most once per character', (pattern) => {
    for (const input of ['a'.repeat(4000), 'a/'.repeat(2000), `${'x'.repeat(3999)}c`]) {
      const work = globWork(pattern, input);
      expect(work.matched).toBe(false);
      expect(work.visits).toBeLessThanOrEqual(work.states * (input.length + 1));
    }
  });

  it('holds for generated patterns and inputs', () => {
    const token = fc.constantFrom('a', 'b', '*', '?', '**', '/', '{a,b}', '{,a}', '[ab]', '+(a|ab)', '*(a)', '?(b)', '@(a|b|ab)');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.stringMatching(/^[ab/]{0,300}$/), (tokens, input) => {
        let work: ReturnType<typeof globWork>;
        try {
          work = globWork(tokens.join(''), input);
        } catch (error) {
          expect(error).toBeInstanceOf(GlobSyntaxError);
          return;
        }
        expect(work.visits).toBeLessThanOrEqual(work.states * (input.length + 1));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the paced match gives the same answers and yields while matching a long input', async () => {
    const glob = compileGlob('*a*a*a*a*a*b');
    const input = 'a'.repeat(20_000);
    let pauses = 0;
    const pacer = { due: () => true, pause: async () => void pauses++ };
    expect(await glob.testPaced(input, pacer)).toBe(glob.test(input));
    expect(pauses).toBeGreaterThan(10);
    expect(await compileGlob('*.md').testPaced('a.md', new Pacer())).toBe(true);
  });
});
