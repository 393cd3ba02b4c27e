// Turns what fetch throws into a short reason a person can act on.

const KNOWN_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by target',
  EPIPE: 'connection closed by target',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by target',
  UND_ERR_CLOSED: 'connection closed by target',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  HPE_INVALID_CONSTANT: 'response is not HTTP',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: the target does not speak TLS',
};

/**
 * The verification failures of a server's certificate (OpenSSL's names, as Node reports them, and
 * Node's own for a host name the certificate does not cover). Unlisted ones are still recognised
 * by their code; these get words.
 */
const CERTIFICATE_CODES: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain ends in an untrusted self-signed root',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate issuer is not trusted',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not valid yet',
  CERT_REVOKED: 'TLS certificate is revoked',
  CERT_SIGNATURE_FAILURE: 'TLS certificate signature is invalid',
  CERT_UNTRUSTED: 'TLS certificate is not trusted',
  CERT_REJECTED: 'TLS certificate is rejected',
  INVALID_CA: 'TLS certificate chain has an invalid CA',
  INVALID_PURPOSE: 'TLS certificate is not for servers',
  CERT_CHAIN_TOO_LONG: 'TLS certificate chain is too long',
  PATH_LENGTH_EXCEEDED: 'TLS certificate chain is too long',
  HOSTNAME_MISMATCH: 'TLS certificate does not name this host',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not name this host',
};

const MAX_REASON_LENGTH = 200;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The code of what fetch threw: WHATWG fetch puts the network error in `cause`, undici throws it as is. */
function errorCode(error: unknown): string | undefined {
  return codeOf(error instanceof Error ? error.cause : undefined) ?? codeOf(error);
}

/** An error's own message, on one line: OpenSSL's run over several, and an `Error: ` prefix says nothing. */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]?.trim() ?? '';
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Whether the target's TLS certificate failed verification: trying again a moment later cannot help. */
export function isCertificateError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (code in CERTIFICATE_CODES || code.startsWith('ERR_TLS_CERT'));
}

export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `timeout after ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = errorCode(error);
  if (code !== undefined) {
    const known = KNOWN_CODES[code] ?? CERTIFICATE_CODES[code];
    if (known !== undefined) return `${known} (${code})`;
    const prefix = isCertificateError(error) ? 'TLS certificate rejected: ' : '';
    // The code is kept whole: it is what a person searches for.
    const shown = code.slice(0, 60);
    return `${prefix}${messageOf(cause)}`.slice(0, MAX_REASON_LENGTH - shown.length - 3) + ` (${shown})`;
  }
  return messageOf(cause).slice(0, MAX_REASON_LENGTH);
}
