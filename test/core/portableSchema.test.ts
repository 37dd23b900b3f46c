import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/core/operation.js';
import { portabilityProblems } from '../../src/core/portableSchema.js';
import { createAjv, describeErrors } from '../../src/core/schema.js';
import { JSON_VALUE_SCHEMA, SCALAR_SCHEMA } from '../../src/core/valueSchemas.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Every tool, the opt-in ones too: the web providers (they change the search schema), DDL and run_process.
let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      SEARCH_PROVIDER: 'local',
      SEARXNG_URL: 'http://127.0.0.1:9/',
      BRAVE_API_KEY: 'test-key',
      DB_ALLOW_DDL: 'true',
      PROCESS_ENABLED: 'true',
      PROCESS_SANDBOX: 'none',
      PROCESS_ALLOW: 'git',
    },
  });
});
afterAll(async () => {
  await server?.close();
});

describe('every tool schema is portable (the Inspector --strict rules, without the Inspector)', () => {
  it('finds no type arrays, untyped values or open-ended input objects in any input or output schema', () => {
    const entries = server.built.registry.list();
    expect(entries.map((e) => e.op.mcpName)).toEqual(
      expect.arrayContaining(['create_table', 'delete', 'run_process', 'search', 'session_set_state']),
    );
    const problems = entries.flatMap(({ op }) =>
      (['inputSchema', 'outputSchema'] as const).flatMap((kind) =>
        portabilityProblems(op[kind], kind).map((p) => `${op.mcpName} ${p.path}: ${p.problem}`),
      ),
    );
    expect(problems).toEqual([]);
  });
});

describe('portabilityProblems', () => {
  const input = (properties: Record<string, unknown>): JsonSchema => ({ type: 'object', properties, additionalProperties: false });
  it.each<[string, JsonSchema, 'inputSchema' | 'outputSchema', string]>([
    ['a type array', input({ v: { type: ['string', 'null'] } }), 'inputSchema', 'inputSchema.properties.v'],
    [
      'a type array deep inside',
      input({ v: { type: 'array', items: { anyOf: [{ type: ['string', 'number'] }] } } }),
      'inputSchema',
      'inputSchema.properties.v.items.anyOf[0]',
    ],
    ['an empty schema', { type: 'object', properties: { value: {} } }, 'outputSchema', 'outputSchema.properties.value'],
    ['a description-only schema', input({ value: { description: 'Any JSON value.' } }), 'inputSchema', 'inputSchema.properties.value'],
    [
      'an open-ended input object',
      input({ o: { type: 'object', properties: { a: { type: 'string' } } } }),
      'inputSchema',
      'inputSchema.properties.o',
    ],
    ['an open root input object', { type: 'object', properties: {} }, 'inputSchema', 'inputSchema'],
    ['a bare true for a property', input({ v: true }), 'inputSchema', 'inputSchema.properties.v'],
    ['a remote $ref', input({ v: { $ref: 'https://example.com/s.json' } }), 'inputSchema', 'inputSchema.properties.v'],
  ])('reports %s', (_label, schema, kind, path) => {
    expect(portabilityProblems(schema, kind).map((p) => p.path)).toContain(path);
  });

  it('accepts anyOf unions, typed maps, explicit free-form objects and local refs', () => {
    const schema = input({
      a: SCALAR_SCHEMA,
      b: JSON_VALUE_SCHEMA,
      c: { type: 'object', additionalProperties: { type: 'string' } },
      d: { $ref: '#/$defs/x' },
      e: { enum: ['x', 'y'] },
    });
    expect(portabilityProblems(schema, 'inputSchema')).toEqual([]);
    // Output objects may stay open: strict mode constrains what a model sends, not what it gets.
    expect(portabilityProblems({ type: 'object', properties: { o: { type: 'object' } } }, 'outputSchema')).toEqual([]);
  });
});

describe('the portable spellings validate what the type arrays did', () => {
  const ajv = createAjv();
  const oldScalar = ajv.compile({ type: ['string', 'number', 'boolean', 'null'] });
  const newScalar = ajv.compile(SCALAR_SCHEMA);
  const oldAny = ajv.compile({ type: ['string', 'number', 'boolean', 'null', 'object', 'array'] });
  const newAny = ajv.compile(JSON_VALUE_SCHEMA);
  it.each([['text'], [0], [-1.5], [true], [null], [{}], [{ a: [1, { b: null }] }], [[]], [[1, 'x', { y: 2 }]]])('%j', (value) => {
    expect(newScalar(value)).toBe(oldScalar(value));
    expect(newAny(value)).toBe(oldAny(value));
  });

  it('says what a union value must be, not one complaint per branch', () => {
    const validate = ajv.compile({ type: 'object', properties: { params: { type: 'array', items: SCALAR_SCHEMA } } });
    validate({ params: ['a', { x: 1 }] });
    expect(describeErrors(validate.errors)).toBe('parameters.params.1 must be string, number, boolean or null');
  });
});
