import type { BenchContext } from '../lib/context.js';
export async function memoryWorkload(_ctx: BenchContext): Promise<void> { throw new Error('todo'); }
