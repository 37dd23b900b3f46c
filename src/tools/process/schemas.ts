import type { ProcessConfig } from '../../config/process.js';
import type { JsonSchema } from '../../core/operation.js';
import { nullable } from '../../core/valueSchemas.js';

export const TOOL = 'process';

export interface RunParams {
  argv?: string[];
  command_line?: string;
  cwd?: string;
  stdin_text?: string;
  timeout_ms?: number;
  env?: Record<string, string>;
}

export interface RunResultOut {
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  killed_by: 'timeout' | 'process_limit' | null;
  stdout: string;
  stderr: string;
  stdout_bytes: number;
  stderr_bytes: number;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  duration_ms: number;
  sandboxed: boolean;
}

/** Most bytes of stdin_text (the request body limit applies too). */
export const MAX_STDIN_CHARS = 1024 * 1024;

/** The input schema follows the configuration: `command_line` exists only with PROCESS_SHELL=true. */
export function runInputSchema(config: ProcessConfig): JsonSchema {
  const properties: Record<string, unknown> = {
    argv: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'string', maxLength: 32_768 },
      description: 'The program and its arguments, passed as they are (no shell: quotes, $, ;, | and * have no special meaning).',
    },
    ...(config.shell
      ? {
          command_line: {
            type: 'string',
            minLength: 1,
            maxLength: 32_768,
            description: 'A command line run by /bin/sh -c (pipes, redirection, globbing). Give either argv or command_line.',
          },
        }
      : {}),
    cwd: { type: 'string', maxLength: 4096, description: 'Working folder, relative to the workspace root (default: the root).' },
    stdin_text: { type: 'string', maxLength: MAX_STDIN_CHARS, description: 'Text given to the command on standard input.' },
    timeout_ms: {
      type: 'integer',
      minimum: 1,
      description: `Wall-time limit in ms (default ${config.defaultTimeoutMs}, at most ${config.maxTimeoutMs}); the command is killed when it passes.`,
    },
    env: {
      type: 'object',
      maxProperties: 64,
      additionalProperties: { type: 'string', maxLength: 32_768 },
      description:
        config.envAllow.length > 0
          ? `Extra environment variables; only these names: ${config.envAllow.join(', ')}.`
          : 'Extra environment variables (none are allowed on this server).',
    },
  };
  return { type: 'object', properties, required: config.shell ? [] : ['argv'], additionalProperties: false };
}

export const RUN_OUTPUT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    exit_code: nullable({ type: 'integer' }, 'Exit status; null when the command ended by a signal.'),
    signal: nullable({ type: 'string' }, 'The signal that ended it (e.g. SIGKILL), or null.'),
    timed_out: { type: 'boolean' },
    killed_by: nullable({ type: 'string', enum: ['timeout', 'process_limit'] }, 'What stopped it: its time limit or the process limit.'),
    stdout: { type: 'string' },
    stderr: { type: 'string' },
    stdout_bytes: { type: 'integer', minimum: 0, description: 'Bytes written to stdout, including any beyond the cap.' },
    stderr_bytes: { type: 'integer', minimum: 0 },
    stdout_truncated: { type: 'boolean' },
    stderr_truncated: { type: 'boolean' },
    duration_ms: { type: 'integer', minimum: 0 },
    sandboxed: { type: 'boolean' },
  },
  required: [
    'exit_code',
    'signal',
    'timed_out',
    'killed_by',
    'stdout',
    'stderr',
    'stdout_bytes',
    'stderr_bytes',
    'stdout_truncated',
    'stderr_truncated',
    'duration_ms',
    'sandboxed',
  ],
  additionalProperties: false,
};
