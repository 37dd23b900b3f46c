import os from 'node:os';
import path from 'node:path';
import { startChild, type ChildServer } from './child.js';

export type BaselineName = 'rawNode' | 'express' | 'sdkEcho';

/** Starts one hand-written baseline on bare node, with the same NODE_ENV as our server. */
export function startBaseline(baselineDir: string, name: BaselineName, nodeArgs: string[] = []): Promise<ChildServer> {
  return startChild(name, [...nodeArgs, path.join(baselineDir, `${name}.js`)], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production' },
    readyTimeoutMs: 30_000,
  });
}
