// A real PostgreSQL database per test (created, then dropped), on the server the machine runs. A test
// that needs it fails loudly when PostgreSQL is not there; it never skips.
import postgres from 'postgres';

/** The server's maintenance database, where test databases are created from. */
export const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let created = 0;
const open = new Set<string>();

function urlOf(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A new, empty database; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `hm_test_${process.pid}_${++created}`;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${name}`));
  open.add(name);
  return urlOf(name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  open.delete(name);
}

/** Drops every database this process created and has not dropped yet. */
export async function dropTestDatabases(): Promise<void> {
  for (const name of [...open]) await dropTestDatabase(urlOf(name));
}
