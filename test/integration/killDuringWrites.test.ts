import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

const KEY = 'kill-test-key-0123456789';
let server: ServerProcess | undefined;
afterEach(() => {
  server?.child.kill('SIGKILL');
  server = undefined;
});

function envelope(operation: string, parameters: Record<string, unknown>) {
  return {
    message_id: `m_${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    source: 'model',
    destination: 'tool',
    message_type: 'request',
    content: { tool_name: 'file_system', operation, parameters },
  };
}

describe('SIGKILL in the middle of many writes', () => {
  it('leaves every file old or new (never partial) and keeps every acknowledged write', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'mcp-kill-'));
    mkdirSync(path.join(workspace, 'w'));
    const FILES = 120;
    // Big enough that a torn write would be visible; each file gets exactly one write or one edit.
    const oldContent = (i: number) => `old ${i}\n${'o'.repeat(200_000)}\nend ${i}\n`;
    const newContent = (i: number) => `new ${i}\n${'n'.repeat(300_000)}\nend ${i}\n`;
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(workspace, 'w', `f${i}.txt`), oldContent(i));
    server = await spawnServer({ WORKSPACE_DIR: workspace, MCP_API_KEYS: `k:${KEY}:read+write`, BODY_LIMIT_BYTES: '1048576' });
    const url = server.mcpUrl;

    const acknowledged = new Set<number>();
    let killed = false;
    const send = async (i: number) => {
      const body =
        i % 2 === 0
          ? envelope('write_file', { path: `w/f${i}.txt`, content: newContent(i) })
          : envelope('edit_file', {
              path: `w/f${i}.txt`,
              edits: [{ old_text: `old ${i}\n${'o'.repeat(200_000)}`, new_text: `new ${i}\n${'n'.repeat(300_000)}` }],
            });
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify(body),
        });
        const reply = await response.json();
        if (response.status === 200 && reply.message_type === 'response') {
          acknowledged.add(i);
          if (acknowledged.size === 30 && !killed) {
            killed = true;
            server!.child.kill('SIGKILL');
          }
        }
      } catch {
        // The connection died with the server: this write was never acknowledged.
      }
    };
    // Bounded concurrency so writes are genuinely in flight when the kill lands.
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < FILES) await send(next++);
      }),
    );
    await server.exited;

    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(30);
    for (let i = 0; i < FILES; i++) {
      const content = readFileSync(path.join(workspace, 'w', `f${i}.txt`), 'utf8');
      if (acknowledged.has(i)) expect(content, `acknowledged f${i}`).toBe(newContent(i));
      else expect([oldContent(i), newContent(i)], `f${i} is torn`).toContain(content);
    }
    // Leftover temp files are hidden and never replace a target.
    const visible = readdirSync(path.join(workspace, 'w')).filter((name) => !name.startsWith('.'));
    expect(visible).toHaveLength(FILES);
  }, 120_000);
});
