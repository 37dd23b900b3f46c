/** The host of a URI for display and logs, or "(invalid)". */
export function hostOf(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return '(invalid)';
  }
}

/** `<name>:<fingerprint>` → `<name>` (the fingerprint is never logged or shown). */
export function keyNameOf(accountId: string | undefined): string | undefined {
  return accountId?.slice(0, accountId.lastIndexOf(':'));
}
