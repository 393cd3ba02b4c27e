import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webhookSecretProblem, webhookSigningKey } from './webhook-secret.js';

test('a whsec_ secret keys with its decoded bytes; any other with its UTF-8 bytes', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  assert.deepEqual(webhookSigningKey(`whsec_${key.toString('base64')}`), key);
  assert.deepEqual(webhookSigningKey('plain-secret-0123456789'), Buffer.from('plain-secret-0123456789'));
});

test('a secret too short, or a whsec_ one that is not base64 or holds too few bytes, is refused', () => {
  assert.equal(webhookSecretProblem('plain-secret-0123456789'), null);
  assert.equal(webhookSecretProblem(`whsec_${Buffer.alloc(24, 7).toString('base64')}`), null);
  assert.match(webhookSecretProblem('short') ?? '', /at least 16 characters/);
  assert.match(webhookSecretProblem('whsec_not base64!!') ?? '', /must be base64/);
  assert.match(webhookSecretProblem('whsec_abc') ?? '', /must be base64/);
  assert.match(webhookSecretProblem(`whsec_${Buffer.alloc(8).toString('base64')}`) ?? '', /at least 16 bytes/);
});
