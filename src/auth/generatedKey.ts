import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiKeyEntry } from '../config/auth.js';

export const GENERATED_KEY_FILE = 'api-key';

/**
 * First start with no key configured: generate one read+write key and keep it in DATA_DIR so it
 * survives restarts. Returns the entry and whether it was created just now (print it once then).
 */
export function loadOrCreateGeneratedKey(dataDir: string): { entry: ApiKeyEntry; created: boolean; file: string } {
  const file = path.join(dataDir, GENERATED_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) return { entry: { name: 'default', key, scopes: ['read', 'write'] }, created: false, file };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = `mcp_${randomBytes(24).toString('base64url')}`;
  // Security: the key file is readable by the owner only.
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { entry: { name: 'default', key, scopes: ['read', 'write'] }, created: true, file };
}
