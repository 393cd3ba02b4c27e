// WEBHOOK_SECRET as Standard Webhooks reads it: a `whsec_` secret is the base64 of its key bytes; any
// other secret keys the HMAC with its UTF-8 bytes, as this monitor always did.
export const WHSEC_PREFIX = 'whsec_';
export const MIN_SECRET_LENGTH = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `null` when the secret can sign, else why not (never quoting the secret). */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(WHSEC_PREFIX))
    return secret.length < MIN_SECRET_LENGTH ? `must be at least ${MIN_SECRET_LENGTH} characters` : null;
  const encoded = secret.slice(WHSEC_PREFIX.length);
  if (!BASE64.test(encoded)) return `after ${WHSEC_PREFIX} must be base64 (A-Z a-z 0-9 + /, = padding)`;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes < MIN_SECRET_LENGTH ? `after ${WHSEC_PREFIX} must encode at least ${MIN_SECRET_LENGTH} bytes` : null;
}

/** The HMAC key: the decoded bytes of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function webhookSigningKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}
