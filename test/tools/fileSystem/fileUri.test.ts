import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/core/errors.js';
import { FILE_URI_TEMPLATE, isFileUri, pathFromUri, uriForPath } from '../../../src/tools/fileSystem/resources/fileUri.js';

function refusedCode(uri: string): string {
  try {
    pathFromUri(uri);
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return (error as ToolError).code;
  }
  throw new Error(`${uri} was accepted`);
}

describe('workspace file URIs', () => {
  it('round-trips every name the listing can produce', () => {
    for (const rel of [
      'a.md',
      'notes/todo.md',
      'a b/c d.txt',
      'naïve/ünï.md',
      'q?x#y%.md',
      '100%/50%25',
      "it's (1)!.txt",
      '~tilde',
      '..a/b..',
      '...',
    ]) {
      const uri = uriForPath(rel);
      expect(uri.startsWith('file:///')).toBe(true);
      expect(uri.slice(8)).not.toMatch(/[ ?#]/);
      expect(pathFromUri(uri)).toBe(rel);
    }
  });

  it('uses a template of the same form', () => {
    expect(FILE_URI_TEMPLATE).toBe('file:///{+path}');
    expect(isFileUri('FILE:///a')).toBe(true);
    expect(isFileUri('file://host/a')).toBe(false);
  });

  it('refuses dot segments however they are written', () => {
    for (const uri of [
      'file:///..',
      'file:///../x',
      'file:///a/../b',
      'file:///a/./b',
      'file:///%2e%2e/x',
      'file:///%2E%2e/x',
      'file:///.%2E/x',
      'file:///a/%2e',
    ])
      expect(refusedCode(uri), uri).toBe('INVALID_PARAMS');
  });

  it('refuses encoded separators, NUL, empty segments, queries, fragments and bad escapes', () => {
    for (const uri of [
      'file:///..%2fx',
      'file:///a%2Fb',
      'file:///a%5cb',
      'file:///a\\b',
      'file:///a%00b',
      'file:////etc/passwd',
      'file:///a//b',
      'file:///a/',
      'file:///',
      'file:///a?b',
      'file:///a#b',
      'file:///%zz',
      'file:///%e0%a4%a',
    ])
      expect(refusedCode(uri), uri).toBe('INVALID_PARAMS');
  });

  it('treats other schemes and authorities as not found', () => {
    for (const uri of ['http://x/a', 'file://localhost/a', 'file://evil.example/etc/passwd', 'file:/a', '/etc/passwd', 'a.md', ''])
      expect(refusedCode(uri), uri).toBe('NOT_FOUND');
  });
});
