/**
 * Security: free-form SQL may not change the role it runs as. PostgreSQL lets any member of a role
 * switch to it in the middle of a SELECT (`set_config('role', …)`), which would lift every privilege
 * check the server relies on, so such text is refused before it is sent. This is the first of two
 * layers: SQL can build SQL at run time (query_to_xml of a computed string), which no reading of
 * the text can follow, so runPgQuery also checks after the statement that current_user and
 * session_user are unchanged, and the role check refuses roles that could become anything dangerous.
 *
 * The text is searched, not parsed, in a few normalised views (escapes decoded, quotes and
 * comments removed, case folded): a false refusal costs a rephrased query, a miss costs the database.
 */

const REFUSED: { pattern: RegExp; what: string }[] = [
  // Every spelling of the only function that sets a parameter from inside a query. Refused whatever
  // the parameter: its name can be computed or bound ($1), so it cannot be read from the text.
  { pattern: /set_config/, what: 'set_config()' },
  { pattern: /\b(?:re)?set\s+(?:(?:local|session)\s+)?role\b/, what: 'SET ROLE / RESET ROLE' },
  { pattern: /\bsession\s+authorization\b/, what: 'SET SESSION AUTHORIZATION' },
  // An UPDATE of pg_settings is rewritten into set_config() calls.
  { pattern: /\bupdate\s+(?:only\s+)?(?:pg_catalog\s*\.\s*)?pg_settings\b/, what: 'UPDATE pg_settings' },
];

const hex = (digits: string) => String.fromCodePoint(Number.parseInt(digits, 16));

/** Decodes the escapes of U&'…', U&"…" (any UESCAPE character) and E'…' strings, everywhere in the text. */
function decodeEscapes(sql: string): string {
  const escapeChars = new Set(['\\']);
  for (const m of sql.matchAll(/uescape\s*'([^'])'/gi)) escapeChars.add(m[1]!);
  let out = sql;
  for (const c of escapeChars) {
    const e = c.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
    out = out
      .replace(new RegExp(`${e}\\+([0-9a-fA-F]{6})`, 'g'), (_, d: string) => hex(d))
      .replace(new RegExp(`${e}([0-9a-fA-F]{4})`, 'g'), (_, d: string) => hex(d));
  }
  return out
    .replace(/\\[uU]([0-9a-fA-F]{8}|[0-9a-fA-F]{4})/g, (_, d: string) => hex(d))
    .replace(/\\x([0-9a-fA-F]{1,2})/g, (_, d: string) => hex(d))
    .replace(/\\([0-7]{1,3})/g, (_, d: string) => String.fromCharCode(Number.parseInt(d, 8) & 0xff));
}

/** Removes block comments (PostgreSQL nests them) and line comments. */
function stripComments(sql: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const two = sql.slice(i, i + 2);
    if (two === '/*') {
      depth++;
      i++;
      out += ' ';
    } else if (depth > 0 && two === '*/') {
      depth--;
      i++;
    } else if (depth === 0 && two === '--') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (depth === 0) out += sql[i];
  }
  return out;
}

function views(sql: string): string[] {
  const decoded = decodeEscapes(sql).toLowerCase().replace(/["\0]/g, '');
  // Doubled quotes inside literals of dynamic SQL ('SET ''role''') fold too.
  const folded = decoded.replace(/'/g, ' ');
  return [decoded, stripComments(decoded), folded, stripComments(folded)].map((v) => v.replace(/\s+/g, ' '));
}

/** What the text would use to change the role, or undefined. */
export function roleChangeIn(sql: string): string | undefined {
  for (const view of views(sql)) {
    for (const rule of REFUSED) if (rule.pattern.test(view)) return rule.what;
  }
  return undefined;
}
