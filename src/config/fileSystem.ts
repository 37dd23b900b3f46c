import { readBool, readInt, type Env } from './env.js';

/** file_system tool settings (issue: file_system tool). */
export interface FileSystemConfig {
  readOnly: boolean;
  maxReadBytes: number;
}

export function parseFileSystemConfig(env: Env): FileSystemConfig {
  return {
    readOnly: readBool(env, 'FS_READ_ONLY', false),
    maxReadBytes: readInt(env, 'FS_MAX_READ_BYTES', 1024 * 1024, 1, 1024 * 1024 * 1024),
  };
}
