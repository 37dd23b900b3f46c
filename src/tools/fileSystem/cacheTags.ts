/**
 * Cache tags. Every cached read carries one tag for the whole workspace and every successful
 * write evicts it. Finer tags (one per path) would be wrong here: tags are computed from the
 * caller's parameters before the read runs, so a read through a symlink, or of a file whose
 * folder is later moved or deleted recursively, could not be matched to the write that changed it.
 */
export const WORKSPACE_TAG = 'fs:*';

export function readTags(): string[] {
  return [WORKSPACE_TAG];
}

export function writeInvalidates(): string[] {
  return [WORKSPACE_TAG];
}
