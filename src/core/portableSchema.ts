import type { JsonSchema } from './operation.js';

/**
 * Tool schemas every client accepts. Clients map tool schemas onto narrower dialects (the OpenAPI
 * subset of Gemini function declarations, OpenAI strict function calling), and a construct they
 * cannot map gets the tool dropped or rejected. The rules are those of the MCP Inspector's
 * `--strict` schema lint (2.12), plus, for input schemas, OpenAI strict mode's "no open-ended
 * objects": every object says what its extra keys may be.
 */
export interface PortabilityProblem {
  /** Where, e.g. `inputSchema.properties.params.items`. */
  path: string;
  problem: string;
}

// Keywords that make a schema constrain its value (the Inspector's list); a schema with none of
// them accepts anything, which single-type dialects cannot express.
const CONSTRAINING = new Set([
  ...['type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'],
  ...['maxLength', 'minLength', 'pattern', 'format', 'contentMediaType', 'contentEncoding', 'contentSchema'],
  ...['maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties'],
  ...['required', 'dependentRequired', 'allOf', 'anyOf', 'oneOf', 'not', 'items', 'prefixItems', 'contains'],
  ...['additionalItems', 'unevaluatedItems', 'properties', 'patternProperties', 'additionalProperties'],
  ...['unevaluatedProperties', 'propertyNames', 'dependentSchemas', 'dependencies', '$ref', '$dynamicRef', '$recursiveRef'],
]);
const MAP_KEYWORDS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];
const LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_KEYWORDS = ['items', 'contains', 'not', 'propertyNames', 'if', 'then', 'else', 'contentSchema'];
/** Keywords where `true`/`false` is an ordinary value, not a schema standing in for one. */
const BOOLEAN_VALUED = ['additionalProperties', 'unevaluatedProperties', 'additionalItems', 'unevaluatedItems'];

type Kind = 'inputSchema' | 'outputSchema';

/** Every non-portable construct in one tool schema (empty when it is portable). */
export function portabilityProblems(schema: JsonSchema, kind: Kind): PortabilityProblem[] {
  const problems: PortabilityProblem[] = [];
  const visit = (node: unknown, path: string, keyword: string | undefined): void => {
    const add = (problem: string) => problems.push({ path, problem });
    if (typeof node === 'boolean') {
      if (keyword === undefined || !BOOLEAN_VALUED.includes(keyword)) add(`a bare \`${node}\` where a schema object is expected`);
      return;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const s = node as JsonSchema;
    if (Array.isArray(s.type)) add(`\`type\` is an array (${JSON.stringify(s.type)}): use anyOf with one type per branch`);
    if (typeof s.$ref === 'string' && !s.$ref.startsWith('#')) add(`\`$ref\` points outside the schema (${s.$ref})`);
    if (keyword !== 'not' && !Object.keys(s).some((k) => CONSTRAINING.has(k))) add('untyped: the schema accepts any value');
    if (kind === 'inputSchema' && (s.type === 'object' || 'properties' in s) && !('additionalProperties' in s))
      add('an open-ended object: set additionalProperties (false, or the schema of its values)');
    for (const key of MAP_KEYWORDS) {
      const map = s[key];
      if (map && typeof map === 'object' && !Array.isArray(map))
        for (const [name, sub] of Object.entries(map)) visit(sub, `${path}.${key}.${name}`, key);
    }
    for (const key of LIST_KEYWORDS) {
      const list = s[key];
      if (Array.isArray(list)) for (const [i, sub] of list.entries()) visit(sub, `${path}.${key}[${i}]`, key);
    }
    for (const key of [...SCHEMA_KEYWORDS, ...BOOLEAN_VALUED]) {
      if (!(key in s)) continue;
      const sub = s[key];
      if (key === 'items' && Array.isArray(sub)) for (const [i, item] of sub.entries()) visit(item, `${path}.items[${i}]`, key);
      else visit(sub, `${path}.${key}`, key);
    }
  };
  visit(schema, kind, undefined);
  return problems;
}
