import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { postgresReachable } from '../../tools/database/fixtures.js';
import { rpc } from '../wire.js';
import { authorize, CLAUDE_REDIRECT, registerPublic, startBuiltinServer, tokenRequest } from './flow.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const pgUp = await postgresReachable();
const schema = `mcp_oauth_${process.pid}_${randomBytes(4).toString('hex')}`;

(pgUp ? describe : describe.skip)(
  `two replicas on one PostgreSQL act as one authorization server${pgUp ? '' : ' — skipped: PostgreSQL unreachable at 127.0.0.1:5432'}`,
  () => {
    let a: TestServer;
    let b: TestServer;
    let viaB: TestServer;
    beforeAll(async () => {
      const admin = new pg.Client(ADMIN_URL);
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const env = { OAUTH_STORE: 'postgres', OAUTH_DATABASE_URL: `${ADMIN_URL}?options=-c%20search_path%3D${schema}` };
      a = await startBuiltinServer(env);
      b = await startBuiltinServer({ ...env, PUBLIC_URL: a.url });
      viaB = { ...b, mcpUrl: a.mcpUrl };
    }, 60_000);
    afterAll(async () => {
      await a?.close();
      await b?.close();
      const admin = new pg.Client(ADMIN_URL);
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });

    const listToolsAt = (server: TestServer, token: string) =>
      rpc(`${server.url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });

    it('keeps its state in the OAuth database, not in DATA_DIR', async () => {
      expect(a.config.oauth.builtin?.store).toBe('postgres');
      const admin = new pg.Client(ADMIN_URL);
      await admin.connect();
      try {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.oauth_secrets`);
        expect(rows[0].n).toBe(3);
      } finally {
        await admin.end();
      }
    });

    it('a code issued by A is redeemed at B; the token works on both; a revocation at A is seen by B', async () => {
      const client = await registerPublic(a, CLAUDE_REDIRECT);
      const flow = await authorize(viaB, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, key: ADMIN_KEY });
      expect(flow.status).toBe(200);
      expect((await listToolsAt(a, flow.body.access_token)).status).toBe(200);
      expect((await listToolsAt(b, flow.body.access_token)).status).toBe(200);
      const refreshed = await tokenRequest(
        a,
        { clientId: client.client_id },
        { grant_type: 'refresh_token', refresh_token: flow.body.refresh_token },
      );
      expect(refreshed.status).toBe(200);
      const revoked = await fetch(`${a.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshed.body.refresh_token, client_id: client.client_id }),
      });
      expect(revoked.status).toBe(200);
      expect((await listToolsAt(b, refreshed.body.access_token)).status).toBe(401);
      const again = await tokenRequest(
        viaB,
        { clientId: client.client_id },
        { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
      );
      expect(again.body.error).toBe('invalid_grant');
    });
  },
);
