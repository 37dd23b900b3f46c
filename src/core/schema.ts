import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export type Ajv = Ajv2020;

/** An Ajv instance with our options and formats; each schema is compiled once, when first used. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
  addFormats(ajv);
  return ajv;
}

export type { ValidateFunction };

/** Turns Ajv errors into one sentence a model or a person can act on. */
export function describeErrors(errors: ErrorObject[] | null | undefined, root = 'parameters'): string {
  if (!errors || errors.length === 0) return `${root} are invalid`;
  const parts = collapseAnyOf(errors).map((e) => {
    const where = `${root}${e.instancePath.replace(/\//g, '.')}`;
    switch (e.keyword) {
      case 'required':
        return `${where} is missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
      case 'additionalProperties':
        return `${where} has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      case 'const':
        return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
      case 'enum':
        return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      default:
        return `${where} ${e.message ?? 'is invalid'}`;
    }
  });
  const shown = parts.slice(0, 5);
  const more = parts.length > 5 ? ` (and ${parts.length - 5} more)` : '';
  return shown.join('; ') + more;
}

const insideOf = (inner: ErrorObject, outer: ErrorObject) =>
  inner !== outer &&
  inner.schemaPath.startsWith(`${outer.schemaPath}/`) &&
  (inner.instancePath === outer.instancePath || inner.instancePath.startsWith(`${outer.instancePath}/`));

/**
 * Unions are spelled as anyOf (portable schemas), and Ajv reports a failed anyOf as one error per
 * branch plus "must match a schema in anyOf". Say instead what the value must be ("must be string,
 * number, boolean or null"), or, when the value had a branch's type but failed inside it (a bad
 * `op` in a where condition), what is wrong in there.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const outermost = unions.filter((u) => !unions.some((o) => insideOf(u, o)));
  if (outermost.length === 0) return errors;
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (outermost.some((u) => insideOf(e, u))) continue;
    if (!outermost.includes(e)) {
      out.push(e);
      continue;
    }
    const branches = errors.filter((b) => insideOf(b, e));
    const deeper = branches.filter((b) => !(b.keyword === 'type' && b.instancePath === e.instancePath));
    if (deeper.length > 0) {
      out.push(...collapseAnyOf(deeper));
      continue;
    }
    const types = [...new Set(branches.map((b) => String((b.params as { type?: unknown }).type)))];
    const list = types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : (types[0] ?? 'valid');
    out.push({ ...e, keyword: 'type', message: `must be ${list}` });
  }
  return out;
}

/** Deterministic JSON (sorted keys) for cache keys. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
