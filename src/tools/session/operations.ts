import type { CallContext } from '../../core/context.js';
import { ToolError } from '../../core/errors.js';
import { READ_ONLY, defineOperation, type ToolAnnotations, type ToolOperation } from '../../core/operation.js';
import type { SessionRef, SessionStore } from '../../infra/sessionStore.js';
import { resolveSessionId, sessionIdSchema } from './sessionId.js';
import { JSON_VALUE_SCHEMA, nullable } from '../../core/valueSchemas.js';

export interface SessionToolLimits {
  maxKeys: number;
  maxValueBytes: number;
  ttlMs: number;
}

const KEY_MAX_LENGTH = 256;
const keySchema = {
  type: 'string',
  minLength: 1,
  maxLength: KEY_MAX_LENGTH,
} as const;
const timestamp = nullable({ type: 'string' }, 'ISO 8601 time, or null when the session does not exist.');

// Every write may replace or remove a stored value, so none is merely additive; repeating one has
// no further effect.
const WRITES: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

const iso = (ms: number) => new Date(ms).toISOString();

function refFor(sessionId: string | undefined, ctx: CallContext): SessionRef {
  // Security: the owner is the authenticated caller, never anything the request says.
  return { owner: ctx.caller.id, id: resolveSessionId(sessionId, ctx) };
}

/** The four operations of the `session` tool over a store. */
export function sessionOperations(store: SessionStore, limits: SessionToolLimits): ToolOperation[] {
  const getState = defineOperation<{ session_id?: string; keys?: string[] }, unknown>({
    tool: 'session',
    operation: 'get_state',
    mcpName: 'session_get_state',
    title: 'Read session notes',
    description: 'Read your session notes (all keys, or those listed) to recall earlier calls; exists=false if never written.',
    inputSchema: {
      type: 'object',
      properties: {
        session_id: sessionIdSchema,
        keys: { type: 'array', items: keySchema, minItems: 1, maxItems: 100, description: 'Only these keys.' },
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['session_id', 'exists', 'created_at', 'updated_at', 'expires_at', 'key_count', 'entries'],
      properties: {
        session_id: { type: 'string' },
        exists: { type: 'boolean' },
        created_at: timestamp,
        updated_at: timestamp,
        expires_at: timestamp,
        key_count: { type: 'integer', description: 'Keys in the session (all of them, even when you asked for a few).' },
        entries: {
          type: 'array',
          items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string' }, value: JSON_VALUE_SCHEMA } },
          description: 'The stored keys and values, sorted by key.',
        },
      },
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async ({ session_id, keys }, ctx) => {
      const ref = refFor(session_id, ctx);
      const snapshot = await store.get(ref, keys);
      if (!snapshot)
        return { session_id: ref.id, exists: false, created_at: null, updated_at: null, expires_at: null, key_count: 0, entries: [] };
      return {
        session_id: ref.id,
        exists: true,
        created_at: iso(snapshot.createdAt),
        updated_at: iso(snapshot.updatedAt),
        expires_at: iso(snapshot.expiresAt),
        key_count: snapshot.keyCount,
        entries: snapshot.entries.map(([key, json]) => ({ key, value: JSON.parse(json) as unknown })),
      };
    },
  });

  const setState = defineOperation<{ session_id?: string; key: string; value: unknown }, unknown>({
    tool: 'session',
    operation: 'set_state',
    mcpName: 'session_set_state',
    title: 'Write a session note',
    description: `Store a JSON value (up to ${limits.maxValueBytes} bytes) under a key in your session, replacing the old one. At most ${limits.maxKeys} keys; expires ${Math.round(limits.ttlMs / 60_000)} min after the last write.`,
    inputSchema: {
      type: 'object',
      required: ['key', 'value'],
      properties: {
        session_id: sessionIdSchema,
        key: keySchema,
        value: JSON_VALUE_SCHEMA,
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['session_id', 'key', 'created_session', 'key_count', 'expires_at'],
      properties: {
        session_id: { type: 'string' },
        key: { type: 'string' },
        created_session: { type: 'boolean', description: 'True when this write created the session.' },
        key_count: { type: 'integer' },
        expires_at: { type: 'string' },
      },
    },
    annotations: WRITES,
    scope: 'write',
    handler: async ({ session_id, key, value }, ctx) => {
      const ref = refFor(session_id, ctx);
      const json = JSON.stringify(value);
      const bytes = Buffer.byteLength(json);
      if (bytes > limits.maxValueBytes) {
        throw new ToolError(
          'PAYLOAD_TOO_LARGE',
          `The value is ${bytes} bytes as JSON; a session value may be at most ${limits.maxValueBytes}. Store a shorter summary, or split it over several keys.`,
        );
      }
      const outcome = await store.set(ref, key, json);
      return { session_id: ref.id, key, created_session: outcome.created, key_count: outcome.keyCount, expires_at: iso(outcome.expiresAt) };
    },
  });

  const deleteState = defineOperation<{ session_id?: string; key: string }, unknown>({
    tool: 'session',
    operation: 'delete_state',
    mcpName: 'session_delete_state',
    title: 'Delete a session note',
    description: 'Remove one key from your session (deleted=false if absent).',
    inputSchema: {
      type: 'object',
      required: ['key'],
      properties: { session_id: sessionIdSchema, key: keySchema },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['session_id', 'key', 'deleted', 'key_count', 'expires_at'],
      properties: {
        session_id: { type: 'string' },
        key: { type: 'string' },
        deleted: { type: 'boolean' },
        key_count: { type: 'integer' },
        expires_at: timestamp,
      },
    },
    annotations: WRITES,
    scope: 'write',
    handler: async ({ session_id, key }, ctx) => {
      const ref = refFor(session_id, ctx);
      const outcome = await store.delete(ref, key);
      if (!outcome) return { session_id: ref.id, key, deleted: false, key_count: 0, expires_at: null };
      return { session_id: ref.id, key, deleted: outcome.deleted, key_count: outcome.keyCount, expires_at: iso(outcome.times.expiresAt) };
    },
  });

  const endSession = defineOperation<{ session_id?: string }, unknown>({
    tool: 'session',
    operation: 'end_session',
    mcpName: 'session_end',
    title: 'End a session',
    description: 'Delete your session and all its notes when a task is done (ended=false if none).',
    inputSchema: {
      type: 'object',
      properties: { session_id: sessionIdSchema },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['session_id', 'ended'],
      properties: { session_id: { type: 'string' }, ended: { type: 'boolean' } },
    },
    annotations: WRITES,
    scope: 'write',
    handler: async ({ session_id }, ctx) => {
      const ref = refFor(session_id, ctx);
      return { session_id: ref.id, ended: await store.end(ref) };
    },
  });

  return [getState, setState, deleteState, endSession] as ToolOperation[];
}
