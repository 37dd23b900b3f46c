import type { ToolFactory } from '../../core/toolModule.js';
import { createSessionStore } from '../../infra/sessionStoreFactory.js';
import { sessionOperations } from './operations.js';

/** The `session` tool: a per-caller scratchpad that survives between calls (and replicas, with Redis). */
export const createSessionTool: ToolFactory = ({ config, logger }) => {
  const store = createSessionStore(config.scale, logger);
  return {
    name: 'session',
    operations: sessionOperations(store, {
      maxKeys: config.scale.sessionMaxKeys,
      maxValueBytes: config.scale.sessionMaxValueBytes,
      ttlMs: config.scale.sessionTtlMs,
    }),
    close: () => store.close(),
  };
};
