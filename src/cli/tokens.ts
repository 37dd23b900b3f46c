import dotenv from 'dotenv';
import type { Logger } from 'winston';
import { listGrants, revokeGrants, type GrantFilter } from '../auth/authServer/grants.js';
import { openOAuthStore } from '../auth/authServer/openStore.js';
import type { OAuthStore } from '../auth/authServer/store.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../infra/logger.js';

const USAGE = `Usage: npm run tokens -- <command> [filter]
  list                      every grant (client, approving key, scopes, dates)
  list --client <id>        the grants of one client
  list --key <name>         the grants one API key approved
  revoke --grant <id>       one grant, with its access and refresh tokens
  revoke --client <id>      every grant of one client
  revoke --key <name>       every grant one API key approved
Add --json for machine-readable output. Reads the same configuration (.env) as the server.`;

function parseFilter(args: string[]): GrantFilter {
  const filter: GrantFilter = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (flag === '--json') continue;
    if (!value || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    if (flag === '--grant') filter.grantId = value;
    else if (flag === '--client') filter.clientId = value;
    else if (flag === '--key') filter.key = value;
    else throw new Error(`unknown option ${flag}`);
    i++;
  }
  return filter;
}

/** Runs one tokens command against a store; returns the exit code. */
export async function runTokensCommand(argv: string[], store: OAuthStore, out: (line: string) => void, logger?: Logger): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  let filter: GrantFilter;
  try {
    filter = parseFilter(rest);
  } catch (error) {
    out(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command === 'list') {
    const grants = await listGrants(store, filter);
    if (json) out(JSON.stringify(grants, null, 2));
    else if (grants.length === 0) out('No grants.');
    else
      for (const g of grants)
        out(
          `${g.grantId}  client ${g.clientId}${g.clientName ? ` (${g.clientName})` : ''}  key ${g.key ?? '?'}  scopes ${g.scopes.join(' ') || '-'}  created ${g.createdAt ?? '?'}  expires ${g.expiresAt ?? 'never'}`,
        );
    return 0;
  }
  if (command === 'revoke') {
    if (!filter.grantId && !filter.clientId && !filter.key) {
      out(`revoke needs --grant, --client or --key\n${USAGE}`);
      return 2;
    }
    const revoked = await revokeGrants(store, filter);
    for (const g of revoked)
      logger?.info('oauth audit: grant revoked', {
        audit: 'grant_revoked',
        grant_id: g.grantId,
        client_id: g.clientId,
        key: g.key,
        by: 'tokens command',
      });
    out(json ? JSON.stringify(revoked, null, 2) : `Revoked ${revoked.length} grant(s) and every token issued under them.`);
    return revoked.length > 0 ? 0 : 1;
  }
  out(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (!config.oauth.builtin) console.error('Note: OAUTH_SERVER is not builtin in this configuration; showing the store anyway.');
  const logger = createLogger(config.log);
  const store = await openOAuthStore(config, logger);
  try {
    process.exitCode = await runTokensCommand(process.argv.slice(2), store, (line) => console.log(line), logger);
  } finally {
    await store.close();
    logger.end();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error('tokens:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
