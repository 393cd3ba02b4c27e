// The process logger: JSON lines on stdout (pino), one child per component.
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export function createLogger(level: Config['logLevel']): Logger {
  // Asynchronous writes: a cycle that logs thousands of transitions costs a few large writes instead of
  // one blocking write per line. Lines are not held back (no minimum length), and pino flushes what is
  // pending when the process exits.
  return pino({ level, base: { name: 'health-monitor' } }, pino.destination({ dest: 1, sync: false }));
}
