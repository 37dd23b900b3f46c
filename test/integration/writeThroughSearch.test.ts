import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer, type TestServer } from '../helpers/server.js';
import type { Client } from '@modelcontextprotocol/client';

let server: TestServer;
let client: Client;
beforeAll(async () => {
  server = await startServer();
  client = await connectClient(server.mcpUrl, '2025-11-25');
});
afterAll(async () => {
  await client.close();
  await server.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent;
}

describe('file_system writes keep search and cached reads current', () => {
  it('finds a file by its words as soon as write_file returns, and forgets it after delete_file', async () => {
    await call('write_file', {
      path: 'notes/quokka.md',
      content: '# Field notes\nThe quokka smiled at the camera.\n',
      create_parents: true,
    });
    const found = await call('search', { query: 'quokka' });
    expect(found.results.map((r: { id: string }) => r.id)).toContain('file:notes/quokka.md');
    const page = await call('fetch', { id: 'file:notes/quokka.md' });
    expect(page.text).toContain('quokka smiled');

    await call('move_file', { source: 'notes/quokka.md', destination: 'notes/wallaby.md' });
    const moved = await call('search', { query: 'quokka' });
    expect(moved.results.map((r: { id: string }) => r.id)).toEqual(['file:notes/wallaby.md']);

    await call('delete_file', { path: 'notes/wallaby.md' });
    expect((await call('search', { query: 'quokka' })).results).toEqual([]);
  });

  it('never serves a cached read_file after a write has returned', async () => {
    await call('write_file', { path: 'counter.txt', content: 'one' });
    expect((await call('read_file', { path: 'counter.txt' })).content).toBe('one');
    expect((await call('read_file', { path: 'counter.txt' })).content).toBe('one');
    await call('edit_file', { path: 'counter.txt', edits: [{ old_text: 'one', new_text: 'two' }] });
    expect((await call('read_file', { path: 'counter.txt' })).content).toBe('two');
  });
});
