// Signing as Standard Webhooks (standardwebhooks.com) does, so receivers can use its libraries or a few lines of their own.
import { createHmac } from 'node:crypto';
import { webhookSigningKey } from '../../domain/index.js';

export const SIGNATURE_VERSION = 'v1';

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed as webhookSigningKey says. The timestamp
 * is signed with the body so a receiver can reject a replay of an old, validly signed request.
 */
export function signatureHeader(secret: string, id: string, timestampSec: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', webhookSigningKey(secret))
    .update(`${id}.${timestampSec}.`)
    .update(body)
    .digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}
