import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowListPolicy, targetEntryProblem } from './target-policy.js';

test('ALLOW_TARGETS entries are validated', () => {
  for (const good of ['example.com', '*.internal.example.com', '10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'localhost']) {
    assert.equal(targetEntryProblem(good), null, good);
  }
  for (const bad of ['10.0.0.0/33', 'example.com/8', 'bad host', '1.2.3.4/x', 'a/b/c', '-bad.com']) {
    assert.notEqual(targetEntryProblem(bad), null, bad);
  }
});

test('the allow list matches names, wildcards and CIDR ranges', () => {
  const policy = allowListPolicy(['svc.example.com', '*.prod.example.com', '10.0.0.0/8', '::1']);
  assert.equal(policy.check('svc.example.com'), null);
  assert.equal(policy.check('SVC.example.com'), null);
  assert.equal(policy.check('api.prod.example.com'), null);
  assert.equal(policy.check('10.20.30.40'), null);
  assert.equal(policy.check('[::1]'), null);
  assert.match(policy.check('prod.example.com') ?? '', /not in ALLOW_TARGETS/);
  assert.match(policy.check('11.0.0.1') ?? '', /not in ALLOW_TARGETS/);
  assert.match(policy.check('169.254.169.254') ?? '', /not in ALLOW_TARGETS/);
});
