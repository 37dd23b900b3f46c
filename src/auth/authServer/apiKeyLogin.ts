import type { Logger } from 'winston';
import type { KeyAccount, KeyAccounts } from './accounts.js';
import type { KeyGuessLimiter } from './keyGuessLimiter.js';
import type { LoginAccount, LoginMethod, LoginRequest, LoginVerdict } from './login.js';

/** The owner proves who they are by typing one of the server's API keys on the consent page. */
export class ApiKeyLogin implements LoginMethod {
  readonly id = 'api_key';
  readonly goneMessage = 'The API key that approved this token was removed or rotated. Authorize again.';

  constructor(
    private readonly accounts: KeyAccounts,
    private readonly limiter: KeyGuessLimiter,
    private readonly logger: Logger,
  ) {}

  renderFields(): string {
    return `<label for="key">Your API key (one of <code>MCP_API_KEYS</code>, or the key the server generated)</label>
<input type="password" id="key" name="key" autocomplete="off" spellcheck="false">
<p class="muted">The client gets at most what this key may do, and loses it when the key is removed or rotated.</p>`;
  }

  async verify(form: Record<string, unknown>, { address, clientId, request }: LoginRequest): Promise<LoginVerdict> {
    const wait = await this.limiter.blocked(address);
    if (wait !== undefined) {
      this.logger.warn('oauth: consent key tries exhausted', { ip: request.ip });
      return { ok: false, status: 429, message: `Too many wrong keys. Try again in ${Math.ceil(wait / 60)} minute(s).` };
    }
    const account = this.accounts.match(String(typeof form.key === 'string' ? form.key : '').trim());
    if (!account) {
      const left = await this.limiter.failed(address);
      this.logger.warn('oauth audit: wrong key on the consent page', { audit: 'consent_wrong_key', client_id: clientId, ip: request.ip });
      return { ok: false, status: 401, message: `That is not one of this server's API keys. ${left} tr${left === 1 ? 'y' : 'ies'} left.` };
    }
    return { ok: true, account: asLogin(account) };
  }

  find(accountId: string): LoginAccount | undefined {
    const account = this.accounts.find(accountId);
    return account ? asLogin(account) : undefined;
  }
}

function asLogin(account: KeyAccount): LoginAccount {
  return { ...account, callerId: `key:${account.name}`, label: `The key "${account.name}"` };
}
