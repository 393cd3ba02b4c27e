// The reasons a failed probe shows in `last_error`: short, one line, naming the problem and its code.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity as checkTlsIdentity } from 'node:tls';
import { test } from 'node:test';
import { selfSignedCertificate } from '../../../tests/helpers/raw-server.js';
import { describeFetchError, isCertificateError } from './describe-error.js';

/** The error Node's own TLS check raises for a host the certificate does not name. */
function hostMismatchError(): Error {
  const certificate = new X509Certificate(selfSignedCertificate().cert).toLegacyObject();
  const error = checkTlsIdentity('monitor.example', certificate);
  assert.ok(error instanceof Error);
  return error;
}

test('a certificate problem is named in words, with its code, and marked as not worth retrying', () => {
  const error = hostMismatchError();
  assert.equal(
    describeFetchError(error, 1000),
    'TLS certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID)',
  );
  assert.equal(isCertificateError(error), true);
  // WHATWG fetch wraps the network error in `cause`: read the same way.
  const wrapped = new TypeError('fetch failed', { cause: error });
  assert.equal(
    describeFetchError(wrapped, 1000),
    'TLS certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID)',
  );
  assert.equal(isCertificateError(wrapped), true);
});

test('network errors are not certificate errors', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.equal(describeFetchError(reset, 1000), 'connection reset by target (ECONNRESET)');
  assert.equal(isCertificateError(reset), false);
  assert.equal(isCertificateError(new DOMException('slow', 'TimeoutError')), false);
});

test('an unknown code: the first line of the message, without an "Error:" prefix, then the code', () => {
  // OpenSSL messages run over several lines and carry file names; the reason is one line.
  const error = Object.assign(
    new Error('800C:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure\nmore\n'),
    {
      code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    },
  );
  assert.equal(
    describeFetchError(error, 1000),
    '800C:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE)',
  );
});

test('a long message is cut, never the code at its end', () => {
  const error = Object.assign(new Error('x'.repeat(1000)), { code: 'ESOMETHINGODD' });
  const reason = describeFetchError(error, 1000);
  assert.ok(reason.length <= 200, `${reason.length} characters`);
  assert.match(reason, / \(ESOMETHINGODD\)$/);
});

test('a timeout names the time it waited', () => {
  assert.equal(describeFetchError(new DOMException('signal timed out', 'TimeoutError'), 300), 'timeout after 300 ms');
});
