import type { JsonSchema } from '../../core/operation.js';

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 50;

export function searchInputSchema(providers: readonly string[], defaultProvider: string): JsonSchema {
  return {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        minLength: 1,
        maxLength: 1000,
        description: 'Plain words, e.g. "quarterly revenue forecast".',
      },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_LIMIT,
        default: DEFAULT_LIMIT,
      },
      provider: {
        type: 'string',
        enum: [...providers],
        default: defaultProvider,
        description: providers.map((p) => PROVIDER_LABELS[p] ?? p).join('; '),
      },
    },
    required: ['query'],
    additionalProperties: false,
  };
}

export const PROVIDER_LABELS: Record<string, string> = {
  local: "local: this server's workspace",
  searxng: 'searxng: the web (SearXNG)',
  brave: 'brave: the web (Brave Search)',
};

export const searchOutputSchema: JsonSchema = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'Pass to fetch to get the full text.' },
          title: { type: 'string' },
          url: { type: 'string', description: 'Canonical URL for citation.' },
          snippet: { type: 'string', description: 'Matching passage; **marks** the matched words for local results.' },
        },
        required: ['id', 'title', 'url'],
        additionalProperties: false,
      },
    },
    note: { type: 'string', description: 'Present when the results may be incomplete, and why.' },
  },
  required: ['results'],
  additionalProperties: false,
};

export const fetchInputSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
    },
  },
  required: ['id'],
  additionalProperties: false,
};

export const fetchOutputSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    text: { type: 'string', description: 'The full text (HTML pages as readable text).' },
    url: { type: 'string' },
    metadata: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
  },
  required: ['id', 'title', 'text', 'url', 'metadata'],
  additionalProperties: false,
};
