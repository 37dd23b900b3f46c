import fc from 'fast-check';

type Schema = Record<string, any>;

/**
 * A fast-check arbitrary for values that (mostly) satisfy a JSON Schema: the subset our tool
 * declarations use (object, array, string, integer, number, boolean, null, enum, const, anyOf, min/max).
 */
export function arbitraryFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || typeof schema !== 'object') return fc.jsonValue();
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0)
    return fc.oneof(...schema.anyOf.map((branch: Schema) => arbitraryFor(branch, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const maxLength = Math.min(schema.maxLength ?? 40, 40);
      const minLength = Math.min(schema.minLength ?? 0, maxLength);
      return fc.oneof(
        fc.string({ minLength, maxLength }),
        fc
          .constantFrom('../../etc/passwd', '/etc/passwd', '..\\..\\x', '%2e%2e/%2e%2e/x', 'a\u0000b', '~/x', 'notes.md', '', '*', '**/*')
          .filter((s) => s.length >= minLength && s.length <= maxLength),
      );
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(arbitraryFor(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties: Record<string, Schema> = schema.properties ?? {};
      const required = new Set<string>(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(properties)) record[key] = arbitraryFor(sub, depth + 1);
      return fc.record(record, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Breaks a valid value: drops a key, swaps a type, adds an unknown key, or replaces it wholesale. */
export function broken(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(4), fc.jsonValue({ maxDepth: 2 })).map(([value, how, junk]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return junk;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (how === 0 && keys.length) delete copy[keys[0]!];
    else if (how === 1 && keys.length) copy[keys[0]!] = junk;
    else if (how === 2) copy.__proto__unexpected = junk;
    else if (how === 3) return junk;
    // biome-ignore lint/complexity/useLiteralKeys: a string key sets an own property named "constructor" (the point of the test), which dot access would not type-check.
    else copy['constructor'] = junk;
    return copy;
  });
}
