import Transport from 'winston-transport';
import winston from 'winston';

export interface CapturedLogger {
  logger: winston.Logger;
  messages: () => string[];
  /** Every captured line with its metadata. */
  lines: () => { message: string; meta: Record<string, unknown> }[];
  count: (message: string) => number;
  /** Resolves once a line with this message has been logged (polls the captured lines). */
  waitFor: (message: string, occurrences?: number, timeoutMs?: number) => Promise<void>;
}

/** A winston logger that keeps every line in memory for assertions. */
export function captureLogger(): CapturedLogger {
  const lines: { message: string; meta: Record<string, unknown> }[] = [];
  class Memory extends Transport {
    override log(info: { message: string } & Record<string, unknown>, next: () => void): void {
      lines.push({ message: info.message, meta: info });
      next();
    }
  }
  const logger = winston.createLogger({ level: 'debug', transports: [new Memory()] });
  const count = (message: string) => lines.filter((l) => l.message === message).length;
  return {
    logger,
    messages: () => lines.map((l) => l.message),
    lines: () => [...lines],
    count,
    waitFor: async (message, occurrences = 1, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (count(message) < occurrences) {
        if (Date.now() > deadline)
          throw new Error(`"${message}" was not logged ${occurrences} time(s); got: ${lines.map((l) => l.message).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
