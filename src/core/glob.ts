/**
 * A glob matcher that cannot backtrack.
 *
 * Security: globs come from callers (search_files `pattern`, `exclude` lists). Compiling them to
 * JavaScript regular expressions (as picomatch does) hands them to a backtracking engine, where
 * `*?*?*?*?*?b` or `a*a*a*a*b` against a long name takes exponential time on the main thread and
 * freezes the whole server. Here a pattern is compiled to a Thompson NFA and run by keeping the
 * *set* of live states while reading the input once (the method RE2 and grep use): every state is
 * visited at most once per input character, so one match costs O(input length × pattern states),
 * whatever the pattern. Patterns are at most a few hundred characters, so that is a few million
 * steps at worst. RE2's native bindings would give the same guarantee, but need a prebuilt binary
 * for each Node release; globs are simple enough that 200 lines of TypeScript do it.
 *
 * Syntax (the picomatch subset the file_system tool documents, with `dot: true`):
 * - `*` any run of characters except `/`; `?` one character except `/`;
 * - `**` as a whole path segment: any number of segments (`a/**\/b` matches `a/b` and `a/x/y/b`,
 *   `a/**` matches `a` and everything below it); elsewhere it is a plain `*`;
 * - `[abc]`, `[a-z]`, `[!a]` / `[^a]`, POSIX classes such as `[[:alpha:]]`; a negated set never
 *   matches `/`;
 * - `{a,b}` alternatives (nested, empty ones allowed), `{1..5}` / `{a..e}` ranges;
 * - extglobs `@(a|b)`, `?(a|b)`, `+(a|b)`, `*(a|b)`;
 * - a leading `!` negates the whole pattern; `\` makes the next character literal.
 * Dot files match like any other name. Matching is case-sensitive. `!(…)` (which would need a
 * complement, not a linear-time construct) is refused with an error, as are unbalanced groups.
 */

/** Thrown for a pattern that cannot be compiled; the message says why. */
export class GlobSyntaxError extends Error {}

/** Most NFA states one pattern may compile to (bounds the cost of one match). */
export const MAX_GLOB_STATES = 4096;
/** Most alternatives one `{a..b}` range may produce. */
const MAX_RANGE = 1000;
const SLASH = 0x2f;

// Node kinds of the parsed pattern.
/** A character test: one code point, or a predicate (`notSlash` and `anyChar` are recognised by identity). */
type CharTest = number | ((c: number) => boolean);

type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: 0 | 1; max: 1 | typeof Infinity };

const notSlash = (c: number) => c !== SLASH;
const anyChar = () => true;
const literal = (code: number): Node => ({ t: 'char', test: code });
const STAR: Node = { t: 'repeat', node: { t: 'char', test: notSlash }, min: 0, max: Infinity };
const ANYTHING: Node = { t: 'repeat', node: { t: 'char', test: anyChar }, min: 0, max: Infinity };
const seq = (items: Node[]): Node => (items.length === 1 ? items[0]! : { t: 'seq', items });
const optional = (node: Node): Node => ({ t: 'repeat', node, min: 0, max: 1 });

const POSIX: Record<string, (c: number) => boolean> = {
  alpha: (c) => /\p{L}/u.test(String.fromCodePoint(c)),
  digit: (c) => c >= 0x30 && c <= 0x39,
  alnum: (c) => (c >= 0x30 && c <= 0x39) || /\p{L}/u.test(String.fromCodePoint(c)),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  blank: (c) => c === 0x20 || c === 0x09,
  punct: (c) => (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e),
  xdigit: (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
  word: (c) => c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
};

/** Recursive-descent parser over code points. Depth is bounded by the pattern length (≤ 500 from callers). */
class Parser {
  private i = 0;
  private readonly s: number[];

  constructor(pattern: string) {
    this.s = Array.from(pattern, (ch) => ch.codePointAt(0)!);
  }

  parse(): Node {
    const node = this.sequence(new Set());
    if (this.i < this.s.length) throw new GlobSyntaxError(`unexpected "${String.fromCodePoint(this.s[this.i]!)}"`);
    return node;
  }

  private peek(offset = 0): number | undefined {
    return this.s[this.i + offset];
  }

  private isSegmentStart(at: number): boolean {
    return at === 0 || this.s[at - 1] === SLASH;
  }

  /** A sequence up to (not including) one of the `stops` characters at this nesting level. */
  private sequence(stops: Set<number>): Node {
    const items: Node[] = [];
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (stops.has(c)) break;
      items.push(this.atom(items));
    }
    return seq(items);
  }

  private atom(before: Node[]): Node {
    const c = this.s[this.i]!;
    const next = this.peek(1);
    const ch = String.fromCodePoint(c);
    if (next === 0x28 /* ( */ && '@?+*!'.includes(ch)) return this.extglob(ch);
    switch (ch) {
      case '\\': {
        this.i++;
        const escaped = this.s[this.i++];
        // A trailing backslash stands for itself.
        return literal(escaped ?? 0x5c);
      }
      case '*':
        return this.star(before);
      case '?':
        this.i++;
        return { t: 'char', test: notSlash };
      case '[':
        return this.bracket() ?? this.literalHere();
      case '{':
        return this.brace() ?? this.literalHere();
      case '/':
        return this.slash();
      default:
        this.i++;
        return literal(c);
    }
  }

  /** The current character as itself (an unclosed `[`, a `{` without alternatives). */
  private literalHere(): Node {
    return literal(this.s[this.i++]!);
  }

  /** `*`, or `**` which spans segments when it is a whole segment. */
  private star(before: Node[]): Node {
    const start = this.i;
    // A `*` followed by `(` starts an extglob, so it is not part of this run of stars.
    while (this.peek() === 0x2a && (this.i === start || this.peek(1) !== 0x28)) this.i++;
    const count = this.i - start;
    const wholeSegment = count >= 2 && this.isSegmentStart(start) && (this.i === this.s.length || this.peek() === SLASH);
    if (!wholeSegment) return STAR;
    if (this.peek() === SLASH) {
      // `**/` is zero or more whole segments, each with its slash.
      this.i++;
      return optional(seq([ANYTHING, literal(SLASH)]));
    }
    // A final `**`: after a `/` the slash is optional too, so `a/**` also matches `a` itself.
    if (start > 0 && before.length > 0 && before[before.length - 1] === SLASH_NODE) {
      before.pop();
      return optional(seq([SLASH_NODE, ANYTHING]));
    }
    return ANYTHING;
  }

  private slash(): Node {
    this.i++;
    return SLASH_NODE;
  }

  private extglob(kind: string): Node {
    if (kind === '!') throw new GlobSyntaxError('"!(…)" is not supported; list what to skip in exclude instead');
    this.i += 2;
    const options = this.alternatives(0x7c /* | */, 0x29 /* ) */, '(');
    const alt: Node = { t: 'alt', options };
    if (kind === '@') return alt;
    if (kind === '?') return optional(alt);
    return { t: 'repeat', node: alt, min: kind === '+' ? 1 : 0, max: Infinity };
  }

  /** Parses `x<sep>y<sep>…<close>` after the opening character and consumes the closing one. */
  private alternatives(sep: number, close: number, open: string): Node[] {
    const options: Node[] = [];
    const stops = new Set([sep, close]);
    for (;;) {
      options.push(this.sequence(stops));
      const c = this.s[this.i];
      if (c === undefined) throw new GlobSyntaxError(`"${open}" is never closed`);
      this.i++;
      if (c === close) return options;
    }
  }

  /** `{a,b}` or `{1..3}`; undefined (a literal `{`) when it has neither a comma nor a range. */
  private brace(): Node | undefined {
    const close = this.matchingBrace(this.i);
    if (close === undefined) return undefined;
    const body = String.fromCodePoint(...this.s.slice(this.i + 1, close));
    const range = /^(-?\d+|[^\\])\.\.(-?\d+|[^\\])$/u.exec(body);
    if (range) {
      this.i = close + 1;
      return rangeNode(range[1]!, range[2]!);
    }
    if (!this.hasTopLevelComma(this.i + 1, close)) return undefined;
    this.i++;
    return { t: 'alt', options: this.alternatives(0x2c /* , */, 0x7d /* } */, '{') };
  }

  private matchingBrace(open: number): number | undefined {
    let depth = 0;
    for (let j = open; j < this.s.length; j++) {
      const c = this.s[j];
      if (c === 0x5c) j++;
      else if (c === 0x7b) depth++;
      else if (c === 0x7d && --depth === 0) return j;
    }
    return undefined;
  }

  private hasTopLevelComma(from: number, to: number): boolean {
    let depth = 0;
    for (let j = from; j < to; j++) {
      const c = this.s[j];
      if (c === 0x5c) j++;
      else if (c === 0x7b || c === 0x28) depth++;
      else if (c === 0x7d || c === 0x29) depth--;
      else if (c === 0x2c && depth === 0) return true;
    }
    return false;
  }

  /** `[...]`; undefined (a literal `[`) when it is never closed. */
  private bracket(): Node | undefined {
    let j = this.i + 1;
    let negated = false;
    if (this.s[j] === 0x21 || this.s[j] === 0x5e) {
      negated = true;
      j++;
    }
    const tests: Array<(c: number) => boolean> = [];
    let first = true;
    for (;;) {
      const c = this.s[j];
      if (c === undefined) return undefined;
      if (c === 0x5d /* ] */ && !first) break;
      first = false;
      if (c === 0x5b && this.s[j + 1] === 0x3a /* [: */) {
        const end = this.s.indexOf(0x5d, j + 2);
        const name = end > 0 && this.s[end - 1] === 0x3a ? String.fromCodePoint(...this.s.slice(j + 2, end - 1)) : '';
        const posix = POSIX[name];
        if (posix) {
          tests.push(posix);
          j = end + 1;
          continue;
        }
      }
      let low = c;
      if (c === 0x5c && this.s[j + 1] !== undefined) low = this.s[++j]!;
      j++;
      if (this.s[j] === 0x2d /* - */ && this.s[j + 1] !== undefined && this.s[j + 1] !== 0x5d) {
        let high = this.s[j + 1]!;
        j += 2;
        if (high === 0x5c && this.s[j] !== undefined) high = this.s[j++]!;
        const [a, b] = low <= high ? [low, high] : [high, low];
        tests.push((x) => x >= a && x <= b);
      } else {
        const code = low;
        tests.push((x) => x === code);
      }
    }
    this.i = j + 1;
    const inSet = (c: number) => tests.some((t) => t(c));
    return { t: 'char', test: negated ? (c) => c !== SLASH && !inSet(c) : inSet };
  }
}

const SLASH_NODE: Node = literal(SLASH);

function rangeNode(from: string, to: string): Node {
  const numeric = /^-?\d+$/.test(from) && /^-?\d+$/.test(to);
  const a = numeric ? Number(from) : from.codePointAt(0)!;
  const b = numeric ? Number(to) : to.codePointAt(0)!;
  if (Math.abs(b - a) + 1 > MAX_RANGE) throw new GlobSyntaxError(`the range {${from}..${to}} has more than ${MAX_RANGE} values`);
  const step = a <= b ? 1 : -1;
  const options: Node[] = [];
  for (let v = a; v !== b + step; v += step) {
    const text = numeric ? String(v) : String.fromCodePoint(v);
    options.push(seq(Array.from(text, (ch) => literal(ch.codePointAt(0)!))));
  }
  return { t: 'alt', options };
}

/**
 * The compiled automaton: state `s` of kind LITERAL, NOT_SLASH, ANY or SET consumes one character
 * (equal to `arg[s]`, anything but `/`, anything, or in `sets[arg[s]]`) and moves to `next[s]`;
 * an EPSILON state moves freely to `next[s]` and, when set, `alt[s]`. State `accept` is the match.
 * Kinds are small integers rather than closures so the inner loop stays monomorphic and fast.
 */
const EPSILON = 0;
const LITERAL = 1;
const NOT_SLASH = 2;
const ANY = 3;
const SET = 4;

interface Nfa {
  kind: Uint8Array;
  arg: Int32Array;
  next: Int32Array;
  alt: Int32Array;
  sets: Array<(c: number) => boolean>;
  start: number;
  accept: number;
}

class NfaBuilder {
  readonly kind: number[] = [];
  readonly arg: number[] = [];
  readonly next: number[] = [];
  readonly alt: number[] = [];
  readonly sets: Array<(c: number) => boolean> = [];

  add(kind: number, arg: number, next = -1, alt = -1): number {
    if (this.kind.length >= MAX_GLOB_STATES) throw new GlobSyntaxError('the pattern is too complex');
    this.kind.push(kind);
    this.arg.push(arg);
    this.next.push(next);
    this.alt.push(alt);
    return this.kind.length - 1;
  }

  private char(test: CharTest, out: number): number {
    if (test === notSlash) return this.add(NOT_SLASH, 0, out);
    if (test === anyChar) return this.add(ANY, 0, out);
    if (typeof test === 'number') return this.add(LITERAL, test, out);
    this.sets.push(test);
    return this.add(SET, this.sets.length - 1, out);
  }

  /** Builds `node` so that it continues to state `out`; returns its entry state. */
  build(node: Node, out: number): number {
    switch (node.t) {
      case 'char':
        return this.char(node.test, out);
      case 'seq': {
        let entry = out;
        for (let k = node.items.length - 1; k >= 0; k--) entry = this.build(node.items[k]!, entry);
        return entry;
      }
      case 'alt': {
        if (node.options.length === 0) return out;
        let entry = this.build(node.options[node.options.length - 1]!, out);
        for (let k = node.options.length - 2; k >= 0; k--) entry = this.add(EPSILON, 0, this.build(node.options[k]!, out), entry);
        return entry;
      }
      case 'repeat': {
        if (node.max === 1) return this.add(EPSILON, 0, this.build(node.node, out), out);
        // A loop: `split` tries the body again or leaves; for min 1 the body is entered first.
        const split = this.add(EPSILON, 0, -1, out);
        const body = this.build(node.node, split);
        this.next[split] = body;
        return node.min === 1 ? body : split;
      }
    }
  }
}

function compileNfa(node: Node): Nfa {
  const b = new NfaBuilder();
  const accept = b.add(EPSILON, 0);
  const start = b.build(node, accept);
  return {
    kind: Uint8Array.from(b.kind),
    arg: Int32Array.from(b.arg),
    next: Int32Array.from(b.next),
    alt: Int32Array.from(b.alt),
    sets: b.sets,
    start,
    accept,
  };
}

/**
 * One pass of the automaton over an input, fed in pieces so a long input can be matched across
 * several turns of the event loop. Each state is added at most once per character (the `seen`
 * marks), which is what makes the cost linear in the input.
 */
class NfaRun {
  private current: Int32Array;
  private following: Int32Array;
  private readonly seen: Int32Array;
  private readonly stack: Int32Array;
  private generation = 1;
  private count: number;
  /** States expanded so far: the work done, which tests compare with the linear bound. */
  visits = 0;

  constructor(private readonly nfa: Nfa) {
    const size = nfa.kind.length;
    this.current = new Int32Array(size);
    this.following = new Int32Array(size);
    this.seen = new Int32Array(size);
    // Each state is expanded once per step and pushes at most two successors.
    this.stack = new Int32Array(2 * size + 1);
    this.count = this.close(nfa.start, this.current, 0);
  }

  /** Adds a state and everything reachable from it through ε-moves to `list`; returns the new length. */
  private close(state: number, list: Int32Array, length: number): number {
    const { kind, next, alt, accept } = this.nfa;
    const { stack, seen, generation } = this;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const s = stack[--top]!;
      if (s < 0 || seen[s] === generation) continue;
      seen[s] = generation;
      this.visits++;
      if (kind[s] === EPSILON && s !== accept) {
        stack[top++] = alt[s]!;
        stack[top++] = next[s]!;
      } else {
        list[length++] = s;
      }
    }
    return length;
  }

  get dead(): boolean {
    return this.count === 0;
  }

  /** Consumes `input` from index `from` up to about `to`; returns where it stopped. */
  feed(input: string, from: number, to: number): number {
    const { kind, arg, next, sets } = this.nfa;
    const end = Math.min(to, input.length);
    let k = from;
    for (; k < end && this.count > 0; k++) {
      const c = input.codePointAt(k)!;
      if (c > 0xffff) k++;
      this.generation++;
      let nextCount = 0;
      for (let j = 0; j < this.count; j++) {
        const s = this.current[j]!;
        const type = kind[s];
        const ok =
          type === NOT_SLASH
            ? c !== SLASH
            : type === LITERAL
              ? c === arg[s]
              : type === ANY
                ? true
                : type === SET
                  ? sets[arg[s]!]!(c)
                  : false;
        if (ok) nextCount = this.close(next[s]!, this.following, nextCount);
      }
      [this.current, this.following] = [this.following, this.current];
      this.count = nextCount;
    }
    return this.count === 0 ? input.length : k;
  }

  get accepted(): boolean {
    for (let j = 0; j < this.count; j++) if (this.current[j] === this.nfa.accept) return true;
    return false;
  }
}

/** Characters matched between two checks of the pacer: with at most MAX_GLOB_STATES live states, about a ms. */
const PACE_CHARS = 32;

/** A compiled glob. `test` is for trusted patterns and short inputs; `testPaced` for caller patterns. */
export interface Glob {
  readonly source: string;
  test(input: string): boolean;
  /** Same answer, but yields to the event loop (through `pacer`) while matching a long input. */
  testPaced(input: string, pacer: Pacer): Promise<boolean>;
}

/** What `testPaced` needs: lib/pacer's Pacer, kept as an interface so this file stays pure. */
export interface Pacer {
  due(): boolean;
  pause(): Promise<void>;
}

/** Compiles one glob into a matcher over `/`-separated paths; throws GlobSyntaxError. */
export function compileGlob(pattern: string): Glob {
  let negate = false;
  let body = pattern;
  while (body.startsWith('!') && !body.startsWith('!(')) {
    negate = !negate;
    body = body.slice(1);
  }
  // Paths never start with `./`; like picomatch, a pattern may.
  while (body.startsWith('./')) body = body.slice(2);
  const nfa = compileNfa(new Parser(body).parse());
  return {
    source: pattern,
    test(input) {
      const run = new NfaRun(nfa);
      run.feed(input, 0, input.length);
      return run.accepted !== negate;
    },
    async testPaced(input, pacer) {
      const run = new NfaRun(nfa);
      let at = 0;
      while (at < input.length) {
        at = run.feed(input, at, at + PACE_CHARS);
        if (at < input.length && pacer.due()) await pacer.pause();
      }
      return run.accepted !== negate;
    },
  };
}

/** For tests: the automaton's size and the states one match expanded (at most size × (characters + 1)). */
export function globWork(pattern: string, input: string): { states: number; visits: number; matched: boolean } {
  const nfa = compileNfa(new Parser(pattern).parse());
  const run = new NfaRun(nfa);
  run.feed(input, 0, input.length);
  return { states: nfa.kind.length, visits: run.visits, matched: run.accepted };
}
