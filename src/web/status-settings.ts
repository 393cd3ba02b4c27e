// What the status pages are configured with, and the CSP nonce each answer carries.
import type { Context } from 'hono';

export interface StatusPageSettings {
  readonly groupBy: readonly string[];
  readonly showUrls: boolean;
  readonly token: string | null;
  /** How long transitions are kept: older days of the bar say their count is not known. */
  readonly historyRetentionDays: number;
}

/** Where the secure-headers middleware keeps the nonce it put in this answer's Content-Security-Policy. */
const NONCE_KEY = 'secureHeadersNonce';

export function nonceOf(c: Context): string {
  const nonce: unknown = c.get(NONCE_KEY as never);
  return typeof nonce === 'string' ? nonce : '';
}
