// `npm run migrate-to-postgres -- --from ./data/health-monitor.db --to postgres://…`: copies a SQLite
// database of this monitor into PostgreSQL (docs/postgres-storage.md, "Moving from SQLite").
import { parseArgs } from 'node:util';
import { databaseUrlProblem, redactedDatabaseUrl } from './domain/index.js';
import { CopyRefused, copySqliteToPostgres } from './store/postgres/copy-from-sqlite.js';
import { connect } from './store/postgres/postgres-persistence.js';

const USAGE = 'usage: migrate-to-postgres --from <sqlite file> --to <postgres://…> [--force]';

function fail(message: string, code: number): never {
  process.stderr.write(`migrate-to-postgres: ${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean', default: false } },
  }).values;
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
}
const { from, to, force } = parsed;
if (from === undefined || to === undefined) fail(`--from and --to are both needed\n${USAGE}`, 2);
const urlProblem = databaseUrlProblem(to);
if (urlProblem !== null) fail(`--to ${urlProblem}`, 2);

const sql = connect(to);
try {
  const counts = await copySqliteToPostgres(from, sql, { replace: force === true });
  process.stdout.write(
    `copied ${counts.services} services, ${counts.transitions} transitions, ${counts.hours} hourly aggregates ` +
      `and ${counts.events} log entries from ${from} to ${redactedDatabaseUrl(to)}\n`,
  );
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  await sql.end({ timeout: 1 });
  fail(error instanceof CopyRefused ? reason : `${redactedDatabaseUrl(to)}: ${reason}`, 1);
}
await sql.end({ timeout: 5 });
