// Worker thread entry: edit_file's replacements and diff, off the event loop (see editOffThread.ts).
import { serveJobs } from '../../infra/workerPool.js';
import { unifiedDiff } from './diffText.js';
import type { EditJob, EditOutcome } from './editOffThread.js';
import { applyEdits } from './textEdits.js';

serveJobs(({ text, edits, display, name }: EditJob): EditOutcome => {
  const newText = applyEdits(text, edits, display);
  return { newText, diff: unifiedDiff(name, text, newText) };
});
