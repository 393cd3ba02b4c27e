// Where webhooks may be delivered: an absolute http(s) URL (never another probe scheme) on a port from 1 to 65535.
import { portProblem } from './port.js';
import { parseHttpUrl } from './url-text.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** `null` when `value` can receive webhooks; otherwise what is wrong with it. Unlike a probe URL, a query is allowed (receivers often carry a token there). */
export function webhookUrlProblem(value: string): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  const parsed = parseHttpUrl(value, 'must be an absolute URL such as https://hooks.example.com/health');
  if ('problem' in parsed) return parsed.problem;
  return portProblem(parsed.url);
}
