// The process logger: JSON lines on stdout (pino), one child per component.
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { name: 'health-monitor' } });
}
