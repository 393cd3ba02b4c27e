import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseUrlProblem, redactedDatabaseUrl } from './database-url.js';

test('DATABASE_URL: each malformed URL gets its own reason, and no reason repeats the URL or its password', () => {
  const cases: [string, RegExp | null][] = [
    ['postgres://monitor:s3cret@db.internal:5432/health', null],
    ['postgresql://db/health', null],
    ['postgres//monitor:s3cret@db/health', /must be a URL/],
    ['mysql://monitor:s3cret@db/health', /must use postgres:\/\/ or postgresql:\/\/, not mysql:\/\//],
    ['postgres://monitor:s3cret@:5432/health', /must be a URL|must name a host/],
    ['postgres://monitor:s3cret@db:5432', /must name a database/],
    ['postgres://monitor:s3cret@db:5432/', /must name a database/],
  ];
  for (const [text, expected] of cases) {
    const problem = databaseUrlProblem(text);
    if (expected === null) assert.equal(problem, null, text);
    else {
      assert.match(problem ?? '', expected, text);
      assert.ok(!(problem ?? '').includes('s3cret'), `${text}: the reason shows the password`);
    }
  }
});

test('a redacted URL keeps everything but the password', () => {
  assert.equal(
    redactedDatabaseUrl('postgres://monitor:s3cret@db:5432/health'),
    'postgres://monitor:***@db:5432/health',
  );
  assert.equal(redactedDatabaseUrl('postgres://db/health'), 'postgres://db/health');
  assert.equal(redactedDatabaseUrl('not a url s3cret'), '(an unreadable URL)');
});
