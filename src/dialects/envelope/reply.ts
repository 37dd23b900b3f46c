import { randomUUID } from 'node:crypto';
import type { EnvelopeRequest } from './schema.js';

/** The design's response envelope. */
export function envelopeReply(
  request: EnvelopeRequest,
  content: unknown,
  processingMs: number,
  extraMetadata: Record<string, unknown> = {},
) {
  return {
    message_id: `resp_${randomUUID()}`,
    in_reply_to: request.message_id,
    timestamp: new Date().toISOString(),
    source: 'tool',
    destination: 'model',
    message_type: 'response',
    content,
    metadata: { ...(request.metadata ?? {}), ...extraMetadata, processing_time_ms: Math.round(processingMs) },
  };
}
