import { ToolError } from '../../core/errors.js';
import type { Condition, ConditionOp, JsonValue, Scalar } from './backend.js';

export const CONDITION_OPS: readonly ConditionOp[] = ['=', '!=', '<', '<=', '>', '>=', 'like', 'in', 'is_null'];
export const MAX_IN_VALUES = 1000;

export type WhereInput = Record<string, Scalar | { op: ConditionOp; value?: JsonValue }>;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Turns the structured `where` into checked conditions. Each operator gets exactly the value shape
 * it can use, so the SQL builders never meet a surprise (a list for `<`, an object for `=`…).
 */
export function normalizeWhere(where: WhereInput): Condition[] {
  return Object.entries(where).map(([column, spec]) => {
    if (isScalar(spec)) return { column, op: '=', value: spec };
    const { op, value } = spec;
    const bad = (expected: string) => new ToolError('INVALID_PARAMS', `where.${column}: operator "${op}" needs ${expected}.`);
    switch (op) {
      case '=':
      case '!=':
        if (!isScalar(value)) throw bad('a string, number, boolean or null value');
        return { column, op, value };
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!isScalar(value) || value === null) throw bad('a string, number or boolean value');
        return { column, op, value };
      case 'like':
        if (typeof value !== 'string') throw bad('a string pattern (% matches any run of characters, _ one character)');
        return { column, op, value };
      case 'in':
        if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES || !value.every((v) => isScalar(v) && v !== null)) {
          throw bad(`a non-empty list of up to ${MAX_IN_VALUES} non-null values`);
        }
        return { column, op, value };
      case 'is_null':
        if (value !== undefined && typeof value !== 'boolean') throw bad('value true (IS NULL) or false (IS NOT NULL)');
        return { column, op, value: value ?? true };
      default:
        throw new ToolError('INVALID_PARAMS', `where.${column}: unknown operator "${String(op)}"; use one of ${CONDITION_OPS.join(', ')}.`);
    }
  });
}
