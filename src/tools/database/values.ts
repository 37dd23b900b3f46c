import type { JsonValue } from './backend.js';

/**
 * Turns a value read from either driver into JSON that survives the trip to a model unchanged:
 * integers beyond 2^53 and other exact numbers as strings, bytes as base64, dates as ISO text.
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJsonValue(v);
    return out;
  }
  return String(value);
}

/** Storage class of a value as SQLite reports it, for columns without a declared type. */
export function sqliteTypeOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'real';
  if (typeof value === 'string') return 'text';
  if (value instanceof Uint8Array) return 'blob';
  return undefined;
}

/** SQLite binds numbers, strings, bigints, buffers and null only: booleans become 1/0, objects JSON text. */
export function toSqliteParam(value: JsonValue): string | number | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** JSON size of a row, the measure behind DB_MAX_RESULT_BYTES. */
export function jsonSize(row: JsonValue[]): number {
  return JSON.stringify(row).length;
}
