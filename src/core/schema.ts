import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** One Ajv instance for the whole process: schemas are compiled once at startup. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
  addFormats(ajv);
  return ajv;
}

export type { ValidateFunction };

/** Turns Ajv errors into one sentence a model or a person can act on. */
export function describeErrors(errors: ErrorObject[] | null | undefined, root = 'parameters'): string {
  if (!errors || errors.length === 0) return `${root} are invalid`;
  const parts = errors.slice(0, 5).map((e) => {
    const where = `${root}${e.instancePath.replace(/\//g, '.')}`;
    switch (e.keyword) {
      case 'required':
        return `${where} is missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
      case 'additionalProperties':
        return `${where} has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      case 'enum':
        return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      default:
        return `${where} ${e.message ?? 'is invalid'}`;
    }
  });
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return parts.join('; ') + more;
}

/** Deterministic JSON (sorted keys) for cache keys. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
