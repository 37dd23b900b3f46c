import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideRoot } from '../../../src/tools/fileSystem/pathCheck.js';

describe('isInsideRoot (the one containment rule)', () => {
  it('accepts the root itself and anything below it', () => {
    expect(isInsideRoot('/srv/root', '/srv/root')).toBe(true);
    expect(isInsideRoot('/srv/root/', '/srv/root')).toBe(true);
    expect(isInsideRoot('/srv/root/a', '/srv/root')).toBe(true);
    expect(isInsideRoot('/srv/root/a/b/c.txt', '/srv/root/')).toBe(true);
  });

  it('refuses a sibling that merely shares the prefix (/root-evil vs /root)', () => {
    expect(isInsideRoot('/srv/root-evil', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/root-evil/x', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/rootx', '/srv/root')).toBe(false);
  });

  it('refuses parents and paths that climb out with ..', () => {
    expect(isInsideRoot('/srv', '/srv/root')).toBe(false);
    expect(isInsideRoot('/', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/root/../etc', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/root/a/../../root-evil', '/srv/root')).toBe(false);
  });

  it('refuses relative, empty and NUL-containing input', () => {
    expect(isInsideRoot('root/a', '/srv/root')).toBe(false);
    expect(isInsideRoot('', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/root/a\0b', '/srv/root')).toBe(false);
    expect(isInsideRoot('/srv/root/a', 'srv/root')).toBe(false);
    expect(isInsideRoot(undefined as unknown as string, '/srv/root')).toBe(false);
  });

  it('works when the root is the file-system root', () => {
    expect(isInsideRoot('/anything', '/')).toBe(true);
  });

  it('agrees with path.relative on random paths (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'root', 'root-evil', '..', '.', 'x y', '%2e%2e');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (parts) => {
        const root = '/srv/root';
        const candidate = path.posix.join('/srv', ...parts);
        const rel = path.posix.relative(root, path.posix.resolve(candidate));
        const expected = rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
        expect(isInsideRoot(candidate, root)).toBe(expected);
      }),
    );
  });
});
