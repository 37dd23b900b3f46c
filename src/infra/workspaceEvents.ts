/**
 * In-process notifications about changes to the workspace: those the server itself made (listeners
 * run before the writing call returns, since emit awaits them, so e.g. the search index is current
 * when a write's reply is sent), and those the workspace watcher saw other programs make (as
 * `write` of each changed path, created, changed or deleted alike). The path `''` means the whole
 * workspace may have changed.
 */
export type WorkspaceChange =
  | { kind: 'write'; path: string }
  | { kind: 'delete'; path: string; recursive?: boolean }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'mkdir'; path: string };

export type WorkspaceListener = (change: WorkspaceChange) => Promise<void> | void;

export class WorkspaceEvents {
  private readonly listeners = new Set<WorkspaceListener>();

  on(listener: WorkspaceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Paths are workspace-relative with `/` separators. A failing listener never fails the write. */
  async emit(change: WorkspaceChange, onError?: (error: unknown) => void): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(change);
      } catch (error) {
        onError?.(error);
      }
    }
  }
}
