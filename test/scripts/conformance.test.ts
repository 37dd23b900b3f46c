import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations.
import { judge } from '../../scripts/conformance.mjs';

const result = (scenario: string, failures: string[] = []) => ({ scenario, passed: 1, warnings: 0, failures });

describe('npm run conformance verdicts', () => {
  it('fails on any failing scenario and names its failing checks', () => {
    const verdict = judge([result('ping'), result('tools-list', ['tools-list: no tools'])]);
    expect(verdict).toMatchObject({ passed: 1, failed: 1 });
    expect(verdict.lines.join('\n')).toMatch(/FAIL {2}tools-list[\s\S]*no tools/);
  });

  it('lists extension scenarios as not applicable, with the reason', () => {
    const verdict = judge([result('tasks-lifecycle', ['x: y'])]);
    expect(verdict).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    expect(verdict.lines[0]).toMatch(/n\/a .*tasks-lifecycle .*tasks extension/);
  });
});
