import { describe, expect, it } from 'vitest';
import type { ToolError } from '../../../src/core/errors.js';
import { parseUserPath } from '../../../src/tools/fileSystem/userPath.js';

function code(input: string): string | undefined {
  try {
    parseUserPath(input);
    return undefined;
  } catch (error) {
    return (error as ToolError).code;
  }
}

describe('parseUserPath (lexical rules)', () => {
  it('treats relative, ./ and leading-slash paths as the same workspace path', () => {
    for (const input of ['notes/a.md', './notes/a.md', '/notes/a.md', 'notes//a.md', 'notes/./a.md', 'notes/x/../a.md']) {
      expect(parseUserPath(input).rel).toBe('notes/a.md');
    }
  });

  it('maps the root spellings to the empty path', () => {
    for (const input of ['/', '.', './', '//', 'a/..']) expect(parseUserPath(input).segments).toEqual([]);
  });

  it('refuses .. that climbs above the root instead of clamping it', () => {
    expect(code('..')).toBe('FORBIDDEN');
    expect(code('../x')).toBe('FORBIDDEN');
    expect(code('/../etc/passwd')).toBe('FORBIDDEN');
    expect(code('a/../../b')).toBe('FORBIDDEN');
  });

  it('treats backslashes as separators, so Windows-style traversal is caught', () => {
    expect(parseUserPath('sub\\file.txt').rel).toBe('sub/file.txt');
    expect(code('..\\..\\etc\\passwd')).toBe('FORBIDDEN');
    expect(code('a\\..\\..\\b')).toBe('FORBIDDEN');
  });

  it('refuses NUL bytes', () => {
    expect(code('a.txt\0.png')).toBe('INVALID_PARAMS');
    expect(code('\0')).toBe('INVALID_PARAMS');
  });

  it('refuses a leading ~ (home folder) but allows ~ inside names', () => {
    expect(code('~')).toBe('FORBIDDEN');
    expect(code('~/secret')).toBe('FORBIDDEN');
    expect(code('~root/.ssh/id_rsa')).toBe('FORBIDDEN');
    expect(code('/~/x')).toBe('FORBIDDEN');
    expect(parseUserPath('notes/~draft').rel).toBe('notes/~draft');
    expect(parseUserPath('backup~').rel).toBe('backup~');
    expect(parseUserPath('./~literal').rel).toBe('~literal');
  });

  it('never decodes percent-encoding: %2e%2e is a name, not ..', () => {
    expect(parseUserPath('%2e%2e/%2e%2e/etc/passwd').segments).toEqual(['%2e%2e', '%2e%2e', 'etc', 'passwd']);
    expect(parseUserPath('..%2f..%2fetc').segments).toEqual(['..%2f..%2fetc']);
    expect(parseUserPath('%2E%2E%5C').segments).toEqual(['%2E%2E%5C']);
  });

  it('keeps the caller text for messages', () => {
    expect(parseUserPath('/a/../b').display).toBe('/a/../b');
  });
});
