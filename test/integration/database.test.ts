import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

/** The database tool end to end over HTTP, in both dialects, on the default SQLite file. */
describe('database tool over HTTP', () => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startServer();
    client = await connectClient(server.mcpUrl);
    // Set the table up through the server's own SQLite file, as an operator would.
    const { default: Database } = await import('better-sqlite3');
    const admin = new Database(`${server.dataDir}/database.sqlite`);
    admin.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL)');
    admin.close();
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('lists the six operations with their annotations (create_table only when DB_ALLOW_DDL=true)', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('create_table');
    const ddl = await postJson(server.mcpUrl, envelope('database', 'create_table', { table: 't', columns: [{ name: 'a', type: 'text' }] }));
    expect(ddl.status).toBe(404);
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('query')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.get('insert')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.get('update')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get('delete')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(byName.has('list_tables') && byName.has('describe_table')).toBe(true);
  });

  it('inserts through the envelope and reads it back through MCP', async () => {
    const inserted = await postJson(server.mcpUrl, envelope('database', 'insert', { table: 'notes', records: [{ title: 'hello' }] }));
    expect(inserted.status).toBe(200);
    expect(inserted.body.content).toEqual({ table: 'notes', inserted: 1, keys: [{ id: 1 }] });

    const result = await client.callTool({
      name: 'query',
      arguments: { sql: 'SELECT id, title FROM notes WHERE title = ?', params: ['hello'] },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      columns: [{ name: 'id' }, { name: 'title' }],
      rows: [[1, 'hello']],
      truncated: false,
    });
  });

  it('refuses a write through query in both dialects, saying why', async () => {
    const reply = await postJson(server.mcpUrl, envelope('database', 'query', { sql: 'DELETE FROM notes RETURNING id' }));
    expect(reply.status).toBe(403);
    expect(reply.body.content).toMatchObject({ code: 'FORBIDDEN', error: expect.stringMatching(/read-only.*insert, update or delete/) });

    const result = await client.callTool({ name: 'query', arguments: { sql: 'SELECT 1; DROP TABLE notes' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/exactly one SQL statement/);
  });

  it('deletes through both dialects, with the row limit', async () => {
    await postJson(
      server.mcpUrl,
      envelope('database', 'insert', { table: 'notes', records: [{ title: 'a' }, { title: 'a' }, { title: 'b' }] }),
    );
    const refused = await postJson(server.mcpUrl, envelope('database', 'delete', { table: 'notes', where: { title: 'a' }, max_rows: 1 }));
    expect(refused.status).toBe(403);
    expect(refused.body.content).toMatchObject({ code: 'FORBIDDEN', error: expect.stringMatching(/nothing was deleted/) });
    const viaEnvelope = await postJson(
      server.mcpUrl,
      envelope('database', 'delete', { table: 'notes', where: { title: 'a' }, max_rows: 2 }),
    );
    expect(viaEnvelope.body.content).toEqual({ table: 'notes', deleted: 2 });
    const viaMcp = await client.callTool({ name: 'delete', arguments: { table: 'notes', where: { title: { op: 'like', value: 'b%' } } } });
    expect(viaMcp.structuredContent).toEqual({ table: 'notes', deleted: 1 });
  });
});

describe('create_table over HTTP (DB_ALLOW_DDL=true)', () => {
  let server: TestServer;
  let client: Client;
  beforeAll(async () => {
    server = await startServer({ env: { DB_ALLOW_DDL: 'true' } });
    client = await connectClient(server.mcpUrl);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('creates a table through the envelope that MCP can use at once', async () => {
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('create_table');
    const created = await postJson(
      server.mcpUrl,
      envelope('database', 'create_table', {
        table: 'todos',
        columns: [
          { name: 'id', type: 'integer', primary_key: true },
          { name: 'title', type: 'text', not_null: true },
        ],
      }),
    );
    expect(created.body.content).toEqual({ table: 'todos', columns: 2 });
    const inserted = await client.callTool({ name: 'insert', arguments: { table: 'todos', records: [{ title: 'write tests' }] } });
    expect(inserted.structuredContent).toEqual({ table: 'todos', inserted: 1, keys: [{ id: 1 }] });
    const refused = await client.callTool({
      name: 'create_table',
      arguments: { table: 'x; DROP TABLE todos', columns: [{ name: 'a', type: 'text' }] },
    });
    expect(refused.isError).toBe(true);
  });
});
