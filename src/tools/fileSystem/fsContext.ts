import type { Logger } from 'winston';
import type { FileSystemConfig } from '../../config/fileSystem.js';
import type { WorkspaceChange, WorkspaceEvents } from '../../infra/workspaceEvents.js';
import type { WriteHooks } from './atomicWrite.js';
import type { Workspace } from './workspace.js';

/** What every operation of this tool shares. */
export interface FsContext {
  ws: Workspace;
  config: FileSystemConfig;
  logger: Logger;
  /** Publishes a change after it happened and before the call returns. */
  emit: (change: WorkspaceChange) => Promise<void>;
  hooks?: WriteHooks;
}

export function makeEmitter(events: WorkspaceEvents, logger: Logger): FsContext['emit'] {
  return (change) =>
    events.emit(change, (error) =>
      logger.warn('workspace listener failed', { change, error: error instanceof Error ? error.message : String(error) }),
    );
}
