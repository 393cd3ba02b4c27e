import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANY_TARGET, targetEntryProblem, targetPolicy } from './target-policy.js';

/** The host a registration's URL is checked by: what the WHATWG URL parser makes of it. */
const hostOf = (url: string): string => new URL(url).hostname;

test('ALLOW_TARGETS entries are validated', () => {
  for (const good of ['example.com', '*.internal.example.com', '10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'localhost']) {
    assert.equal(targetEntryProblem(good), null, good);
  }
  for (const bad of ['10.0.0.0/33', 'example.com/8', 'bad host', '1.2.3.4/x', 'a/b/c', '-bad.com']) {
    assert.notEqual(targetEntryProblem(bad), null, bad);
  }
});

test('the allow list matches names, wildcards and CIDR ranges', () => {
  const policy = targetPolicy(['svc.example.com', '*.prod.example.com', '10.0.0.0/8', '::1']);
  assert.equal(policy.check('svc.example.com'), null);
  assert.equal(policy.check('SVC.example.com'), null);
  assert.equal(policy.check('api.prod.example.com'), null);
  assert.equal(policy.check('10.20.30.40'), null);
  assert.equal(policy.check('[::1]'), null);
  assert.match(policy.check('prod.example.com') ?? '', /host prod\.example\.com is not in ALLOW_TARGETS/);
  assert.match(policy.check('evilprod.example.com') ?? '', /not in ALLOW_TARGETS/, 'a wildcard matches whole labels only');
  assert.match(policy.check('11.0.0.1') ?? '', /host 11\.0\.0\.1 is not in ALLOW_TARGETS/);
});

test('a names-only list refuses every address literal: an address is allowed only by an address entry', () => {
  const policy = targetPolicy(['localhost']);
  assert.equal(policy.check('localhost'), null);
  assert.match(policy.check('127.0.0.1') ?? '', /host 127\.0\.0\.1 is not in ALLOW_TARGETS/);
});

test('without ALLOW_TARGETS every host is allowed but the metadata address, in every spelling the URL parser accepts', () => {
  for (const allowed of ['http://example.com/', 'http://127.0.0.1:8080/', 'http://[::1]/', 'http://169.254.169.253/', 'http://10.0.0.1/']) {
    assert.equal(ANY_TARGET.check(hostOf(allowed)), null, allowed);
  }
  const spellings = [
    'http://169.254.169.254/latest/meta-data',
    'http://2852039166/', // one decimal number
    'http://0xa9fea9fe/', // hexadecimal
    'http://0251.0376.0251.0376/', // octal parts
    'http://169.254.43518/', // the last two parts as one number
    'http://169.254.169.254./', // trailing dot
    'http://%31%36%39.254.169.254/', // percent-encoded
    'http://[::ffff:169.254.169.254]/', // IPv4-mapped IPv6
    'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
    'http://[fd00:ec2::254]/', // AWS's IPv6 endpoint
    'http://[fd00:ec2:0:0:0:0:0:254]/',
  ];
  for (const url of spellings) {
    assert.match(ANY_TARGET.check(hostOf(url)) ?? '', /is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it/, url);
  }
});

test('the metadata address is refused under a list, unless an address or range entry covers it', () => {
  assert.match(targetPolicy(['10.0.0.0/8', 'metadata.google.internal']).check('169.254.169.254') ?? '', /cloud metadata address/);
  for (const covering of [['169.254.169.254'], ['169.254.0.0/16'], ['0.0.0.0/0'], ['::ffff:0:0/96']]) {
    const policy = targetPolicy(covering);
    assert.equal(policy.check('169.254.169.254'), null, covering.join());
    assert.equal(policy.checkResolved('metadata.google.internal', '169.254.169.254'), null, covering.join());
  }
  assert.equal(targetPolicy(['fd00:ec2::/32']).check('[fd00:ec2::254]'), null);
});

test('a resolved address: checked against the address entries when there are any, else only against the metadata address', () => {
  const mixed = targetPolicy(['*.svc.internal', '10.0.0.0/8']);
  assert.equal(mixed.checkResolved('api.svc.internal', '10.1.2.3'), null);
  assert.equal(mixed.checkResolved('api.svc.internal', '::ffff:10.1.2.3'), null, 'an IPv4-mapped address is the IPv4 address');
  assert.equal(mixed.checkResolved('api.svc.internal', '127.0.0.1'), 'api.svc.internal resolved to 127.0.0.1, which is not in ALLOW_TARGETS');

  const namesOnly = targetPolicy(['localhost']);
  assert.equal(namesOnly.checkResolved('localhost', '127.0.0.1'), null);
  assert.match(namesOnly.checkResolved('localhost', '169.254.169.254') ?? '', /localhost resolved to 169\.254\.169\.254, which is the cloud metadata address/);

  assert.equal(ANY_TARGET.checkResolved('example.com', '93.184.216.34'), null);
  assert.match(ANY_TARGET.checkResolved('evil.example', '::ffff:169.254.169.254') ?? '', /cloud metadata address/);
  assert.match(ANY_TARGET.checkResolved('evil.example', 'fd00:ec2::254') ?? '', /cloud metadata address/);
  assert.match(ANY_TARGET.checkResolved('odd.example', 'not-an-address') ?? '', /not an address/);
});

test('the entries are kept, so a worker thread can rebuild the same policy', () => {
  assert.equal(ANY_TARGET.entries, null);
  const entries = ['localhost', '10.0.0.0/8'];
  const rebuilt = targetPolicy(targetPolicy(entries).entries);
  assert.deepEqual(rebuilt.entries, entries);
  assert.match(rebuilt.checkResolved('localhost', '127.0.0.1') ?? '', /not in ALLOW_TARGETS/);
});
