import type { ResultBook } from './results.js';
import type { Settings } from './settings.js';

export interface BenchContext {
  settings: Settings;
  book: ResultBook;
  /** Where the transpiled baselines are (rawNode.js, express.js, sdkEcho.js). */
  baselineDir: string;
  log: (line: string) => void;
}
