import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANY_TARGET, METADATA_ADDRESSES, targetEntryProblem, targetPolicy } from './target-policy.js';

/** The host a registration's URL is checked by: what the WHATWG URL parser makes of it. */
const hostOf = (url: string): string => new URL(url).hostname;

test('ALLOW_TARGETS entries are validated', () => {
  for (const good of [
    'example.com',
    '*.internal.example.com',
    '10.0.0.0/8',
    '127.0.0.1',
    '::1',
    'fd00::/8',
    'localhost',
  ]) {
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
  assert.match(
    policy.check('evilprod.example.com') ?? '',
    /not in ALLOW_TARGETS/,
    'a wildcard matches whole labels only',
  );
  assert.match(policy.check('11.0.0.1') ?? '', /host 11\.0\.0\.1 is not in ALLOW_TARGETS/);
});

test('a names-only list refuses every address literal: an address is allowed only by an address entry', () => {
  const policy = targetPolicy(['localhost']);
  assert.equal(policy.check('localhost'), null);
  assert.match(policy.check('127.0.0.1') ?? '', /host 127\.0\.0\.1 is not in ALLOW_TARGETS/);
});

test('without ALLOW_TARGETS every host is allowed but the metadata address, in every spelling the URL parser accepts', () => {
  for (const allowed of [
    'http://example.com/',
    'http://127.0.0.1:8080/',
    'http://[::1]/',
    'http://169.253.255.255/',
    'http://10.0.0.1/',
  ]) {
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
    assert.match(
      ANY_TARGET.check(hostOf(url)) ?? '',
      /is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it/,
      url,
    );
  }
});

test('the metadata address is refused under a list, unless an address or range entry covers it', () => {
  assert.match(
    targetPolicy(['10.0.0.0/8', 'metadata.google.internal']).check('169.254.169.254') ?? '',
    /cloud metadata address/,
  );
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
  assert.equal(
    mixed.checkResolved('api.svc.internal', '::ffff:10.1.2.3'),
    null,
    'an IPv4-mapped address is the IPv4 address',
  );
  assert.equal(
    mixed.checkResolved('api.svc.internal', '127.0.0.1'),
    'api.svc.internal resolved to 127.0.0.1, which is not in ALLOW_TARGETS',
  );

  const namesOnly = targetPolicy(['localhost']);
  assert.equal(namesOnly.checkResolved('localhost', '127.0.0.1'), null);
  assert.match(
    namesOnly.checkResolved('localhost', '169.254.169.254') ?? '',
    /localhost resolved to 169\.254\.169\.254, which is the cloud metadata address/,
  );

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

const UNLESS = 'refused unless an ALLOW_TARGETS address or range covers it';

test('the metadata list names every documented instance metadata and credentials endpoint', () => {
  for (const address of [
    '169.254.169.254',
    '169.254.170.2',
    '169.254.170.23',
    '100.100.100.200',
    '192.0.0.192',
    '168.63.129.16',
    'fd00:ec2::254',
    'fd00:ec2::23',
    'fd20:ce::254',
  ]) {
    assert.ok(METADATA_ADDRESSES.includes(address), address);
    assert.match(ANY_TARGET.check(address) ?? '', /is the cloud metadata address/, address);
  }
});

test('the edges of the refused ranges: link-local is 169.254.0.0/16 and fe80::/10, nothing around them', () => {
  const refused: readonly (readonly [string, string])[] = [
    ['169.254.0.0', 'a link-local address'],
    ['169.254.255.255', 'a link-local address'],
    ['169.254.169.253', 'a link-local address'],
    ['[fe80::]', 'a link-local address'],
    ['[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]', 'a link-local address'],
    ['100.100.100.200', 'the cloud metadata address'],
  ];
  for (const [host, rule] of refused)
    assert.equal(ANY_TARGET.check(host), `host ${host.replace(/^\[|\]$/g, '')} is ${rule}, ${UNLESS}`, host);
  const allowed = [
    '169.253.255.255',
    '169.255.0.0',
    '100.100.100.199',
    '100.100.100.201',
    '192.0.0.191',
    '192.0.0.193',
    '168.63.129.17',
    '[fe7f:ffff::1]',
    '[fec0::]',
    '[fd00:ec2::253]',
    '[fd00:ec2::255]',
    '[fd20:ce::253]',
    // Embedded IPv4 addresses outside the refused set, and prefixes that embed none.
    '[::ffff:10.1.2.3]',
    '[::10.1.2.3]',
    '[64:ff9b::a01:203]',
    '[2002:a01:203::]',
    '[64:ff9b:2::a9fe:a9fe]',
    '[2003:a9fe:a9fe::]',
    '[::1]',
  ];
  for (const host of allowed) assert.equal(ANY_TARGET.check(host), null, host);
});

test('NAT64 in the local-use prefix 64:ff9b:1::/48: the IPv4 address is found wherever RFC 6052 puts it for a /48, /56, /64 or /96', () => {
  for (const host of [
    '64:ff9b:1:a9fe:a9:fe00::',
    '64:ff9b:1:a9:fe:a9fe::',
    '64:ff9b:1:0:a9:fea9:fe00:0',
    '64:ff9b:1::a9fe:a9fe',
  ]) {
    assert.equal(
      ANY_TARGET.check(`[${host}]`),
      `host ${host} (NAT64 form of 169.254.169.254) is the cloud metadata address, ${UNLESS}`,
      host,
    );
  }
});

test('a resolved address in any spelling is reduced to the IPv4 address it carries, and named with it', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['169.254.170.2', '169.254.170.2, which is the cloud metadata address'],
    ['::FFFF:169.254.170.23', '::FFFF:169.254.170.23, which is the cloud metadata address'],
    ['FD00:0EC2:0:0:0:0:0:0023', 'FD00:0EC2:0:0:0:0:0:0023, which is the cloud metadata address'],
    [
      '64:ff9b::169.254.169.254',
      '64:ff9b::169.254.169.254 (NAT64 form of 169.254.169.254), which is the cloud metadata address',
    ],
    ['2002:6464:64c8:1::1', '2002:6464:64c8:1::1 (6to4 form of 100.100.100.200), which is the cloud metadata address'],
    ['::a9fe:101', '::a9fe:101 (IPv4-compatible form of 169.254.1.1), which is a link-local address'],
    ['::ffff:0:c000:c0', '::ffff:0:c000:c0 (IPv4-translated form of 192.0.0.192), which is the cloud metadata address'],
    ['fe80::1%eth0', 'fe80::1%eth0, which is a link-local address'],
  ];
  for (const policy of [ANY_TARGET, targetPolicy(['*.example']), targetPolicy(['*.example', '10.0.0.0/8'])]) {
    for (const [address, says] of cases) {
      assert.equal(
        policy.checkResolved('evil.example', address),
        `evil.example resolved to ${says}, ${UNLESS}`,
        `${String(policy.entries)} ${address}`,
      );
    }
  }
});

test('ALLOW_TARGETS lifts the refusal only with an address or range covering the address, as written or as the IPv4 address it carries', () => {
  const ecs = targetPolicy(['169.254.170.2']);
  assert.equal(ecs.check('169.254.170.2'), null);
  assert.equal(ecs.check('[::ffff:a9fe:aa02]'), null, 'the IPv4-mapped form is the same address');
  assert.equal(ecs.checkResolved('creds.example', '169.254.170.2'), null);
  assert.equal(ecs.check('169.254.169.254'), `host 169.254.169.254 is the cloud metadata address, ${UNLESS}`);
  assert.equal(ecs.check('169.254.1.1'), `host 169.254.1.1 is a link-local address, ${UNLESS}`);
  // The refusal is lifted, but the NAT64 address is itself not in the list.
  assert.equal(ecs.check('[64:ff9b::a9fe:aa02]'), 'host 64:ff9b::a9fe:aa02 is not in ALLOW_TARGETS');

  const linkLocal = targetPolicy(['169.254.0.0/16', 'fe80::/10']);
  for (const host of ['169.254.1.1', '169.254.169.254', '[fe80::1]', '[::ffff:a9fe:101]'])
    assert.equal(linkLocal.check(host), null, host);
  assert.equal(linkLocal.checkResolved('ll.example', 'fe80::1%eth0'), null);
  assert.equal(linkLocal.check('100.100.100.200'), `host 100.100.100.200 is the cloud metadata address, ${UNLESS}`);

  const nat64 = targetPolicy(['64:ff9b::/96']);
  assert.equal(nat64.check('[64:ff9b::a9fe:a9fe]'), null, 'a range covering the address as written');
  assert.equal(nat64.checkResolved('n.example', '64:ff9b::a9fe:a9fe'), null);
  assert.equal(nat64.check('169.254.169.254'), `host 169.254.169.254 is the cloud metadata address, ${UNLESS}`);

  for (const [entries, host] of [
    [['100.100.100.200'], '100.100.100.200'],
    [['fd00:ec2::/32'], '[fd00:ec2::23]'],
    [['0.0.0.0/0'], '192.0.0.192'],
  ] as const) {
    assert.equal(targetPolicy(entries).check(host), null, `${entries.join()} ${host}`);
  }

  // A name entry says nothing about where the name points.
  const named = targetPolicy(['metadata.tencentyun.com', '100-100-100-200.example']);
  assert.equal(named.check('metadata.tencentyun.com'), null);
  assert.equal(
    named.checkResolved('metadata.tencentyun.com', '169.254.0.23'),
    `metadata.tencentyun.com resolved to 169.254.0.23, which is a link-local address, ${UNLESS}`,
  );
  assert.equal(
    named.checkResolved('100-100-100-200.example', '100.100.100.200'),
    `100-100-100-200.example resolved to 100.100.100.200, which is the cloud metadata address, ${UNLESS}`,
  );
});
