// Where webhooks may be delivered: an absolute http(s) URL that fetch will accept.
import { blockedPortProblem } from './blocked-ports.js';
import { portOutOfRangeProblem, urlTextProblem } from './url-text.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** `null` when `value` can receive webhooks; otherwise what is wrong with it. Unlike a probe URL, a query is allowed (receivers often carry a token there). */
export function webhookUrlProblem(value: string): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'must be an absolute URL such as https://hooks.example.com/health';
  const text = urlTextProblem(value);
  if (text !== null) return text;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return portOutOfRangeProblem(value) ?? 'must be an absolute URL such as https://hooks.example.com/health';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return blockedPortProblem(url);
}
