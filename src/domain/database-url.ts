// DATABASE_URL: what makes one usable, said without repeating it (it may carry a password).

const SCHEMES = new Set(['postgres:', 'postgresql:']);

/** Why `text` is not a PostgreSQL URL, in words that never include the URL itself; `null` when it is one. */
export function databaseUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as postgres://user:password@host:5432/database';
  }
  if (!SCHEMES.has(url.protocol)) return `must use postgres:// or postgresql://, not ${url.protocol}//`;
  if (url.hostname === '') return 'must name a host, as in postgres://user@host:5432/database';
  if (url.pathname === '' || url.pathname === '/')
    return 'must name a database, as in postgres://user@host:5432/database';
  return null;
}

/** The URL with its password replaced, for logs and errors. */
export function redactedDatabaseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
