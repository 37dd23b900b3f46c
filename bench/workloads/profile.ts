import type { BenchContext } from '../lib/context.js';
export async function profileWorkload(_ctx: BenchContext): Promise<void> { throw new Error('todo'); }
