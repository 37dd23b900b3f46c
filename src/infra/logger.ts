import path from 'node:path';
import winston from 'winston';
import type { LogConfig } from '../config/server.js';

/** JSON lines to stdout; optional file transports as in the original design. */
export function createLogger(config: LogConfig, silent = false): winston.Logger {
  const transports: winston.transport[] = [new winston.transports.Console({ silent })];
  if (config.fileDir) {
    transports.push(
      new winston.transports.File({ filename: path.join(config.fileDir, 'error.log'), level: 'error' }),
      new winston.transports.File({ filename: path.join(config.fileDir, 'combined.log') }),
    );
  }
  return winston.createLogger({
    level: config.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'mcp-tool-server' },
    transports,
  });
}

/** A logger that drops everything: for tests and tools used outside a server. */
export function createSilentLogger(): winston.Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
