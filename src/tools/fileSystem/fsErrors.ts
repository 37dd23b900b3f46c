import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';

/**
 * Maps an OS error to a ToolError that names the caller's path. Messages are built here from the
 * caller's text only: the OS message (which carries the absolute path) never reaches the caller.
 * Unknown errors are returned unchanged and surface as a generic INTERNAL_ERROR (logged in full).
 */
export function toFsToolError(error: unknown, display: string): unknown {
  if (error instanceof ToolError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Security: every message is built from the caller's own path text; the OS message (which
  // carries the absolute path) is never passed on.
  const q = quote(display);
  switch (code) {
    case 'ENOENT':
      return new ToolError('NOT_FOUND', `${q} does not exist. Use list_directory or search_files to find the right path.`);
    case 'EEXIST':
      return new ToolError('CONFLICT', `${q} already exists.`);
    case 'ENOTDIR':
      return new ToolError('INVALID_PARAMS', `A part of ${q} is a file where a folder was expected.`);
    case 'EISDIR':
      return new ToolError('INVALID_PARAMS', `${q} is a folder, not a file.`);
    case 'ELOOP':
      return new ToolError('FORBIDDEN', `${q} is (or passes through) a symbolic link that the file_system tool does not follow here.`);
    case 'ENAMETOOLONG':
      return new ToolError('INVALID_PARAMS', `${q} is too long for the file system; use shorter names.`);
    case 'EACCES':
    case 'EPERM':
      return new ToolError('FORBIDDEN', `The operating system denied access to ${q}.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new ToolError('UNAVAILABLE', `The disk is full, so ${q} was left unchanged. Free some space and try again.`);
    case 'EROFS':
      return new ToolError('UNAVAILABLE', `The workspace is on a read-only file system; ${q} was left unchanged.`);
    case 'EMFILE':
    case 'ENFILE':
      return new ToolError('UNAVAILABLE', 'The server has too many open files right now; try again shortly.');
    case 'ENOTEMPTY':
      return new ToolError('CONFLICT', `${q} is a folder that is not empty.`);
    case 'EBUSY':
      return new ToolError('CONFLICT', `${q} is busy (in use by the system); try again later.`);
    case 'EXDEV':
      return new ToolError(
        'UNAVAILABLE',
        `${q} cannot be moved across file systems inside the workspace; copy it with read_file and write_file instead.`,
      );
    case 'EINVAL':
      return new ToolError('INVALID_PARAMS', `That operation is not possible on ${q} (for example, moving a folder into itself).`);
    default:
      return error;
  }
}

/** Runs an fs step and converts its failure for the caller. */
export async function withFsErrors<T>(display: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toFsToolError(error, display);
  }
}
