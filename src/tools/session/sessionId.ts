import type { CallContext } from '../../core/context.js';
import { ToolError } from '../../core/errors.js';

/** The session a caller gets when it names none: one per identity. */
export const DEFAULT_SESSION_ID = 'default';
export const SESSION_ID_MAX_LENGTH = 256;
// Printable text only, so ids are safe to show back and to log.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are refused).
const SESSION_ID = /^[^\u0000-\u001f\u007f]{1,256}$/;

export const sessionIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: SESSION_ID_MAX_LENGTH,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'Which of your sessions (default: metadata.session_id, else yours).',
} as const;

/**
 * The `session_id` argument, else the envelope's metadata.session_id, else the caller's default
 * session. Naming two different ids at once is refused rather than guessed.
 */
export function resolveSessionId(argument: string | undefined, ctx: CallContext): string {
  const fromMetadata = ctx.sessionId;
  if (fromMetadata !== undefined && !SESSION_ID.test(fromMetadata)) {
    throw new ToolError('INVALID_PARAMS', 'metadata.session_id must be 1 to 256 printable characters.');
  }
  if (argument !== undefined && fromMetadata !== undefined && argument !== fromMetadata) {
    throw new ToolError(
      'INVALID_PARAMS',
      `The session_id argument ("${argument}") differs from metadata.session_id ("${fromMetadata}"). Name the session once.`,
    );
  }
  return argument ?? fromMetadata ?? DEFAULT_SESSION_ID;
}
