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
  HPE_INVALID_CONSTANT: 'response is not HTTP',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `timeout after ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = codeOf(cause) ?? codeOf(error);
  if (code !== undefined) {
    const known = KNOWN_CODES[code];
    if (known) return `${known} (${code})`;
    const message = cause instanceof Error ? cause.message : String(cause ?? error);
    return `${code}: ${message}`.slice(0, 200);
  }
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}
