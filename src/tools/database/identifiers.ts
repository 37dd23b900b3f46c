/**
 * Identifier quoting. Callers' table and column names are first matched against the live schema
 * (see access.ts); only the catalog's own spelling reaches SQL, and always through this function.
 */
export function quoteIdent(name: string): string {
  // Security: a double quote inside a name is doubled, so a name can never end the identifier early.
  // NUL cannot occur in catalog names and would be rejected by both databases anyway.
  return `"${name.replace(/"/g, '""')}"`;
}
