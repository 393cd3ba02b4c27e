import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeLabelName, attributeLabelNames } from './label-names.js';

test('an attribute key becomes attr_ plus the key with every invalid character made _', () => {
  const cases: [string, string][] = [
    ['env', 'attr_env'],
    ['service', 'attr_service'],
    ['team-name', 'attr_team_name'],
    ['app.kubernetes.io/name', 'attr_app_kubernetes_io_name'],
    ['9lives', 'attr_9lives'],
    ['__reserved', 'attr___reserved'],
    ['région', 'attr_r_gion'],
    ['emoji🙂', 'attr_emoji_'],
  ];
  for (const [key, label] of cases) {
    assert.equal(attributeLabelName(key), label, key);
    assert.match(label, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
    assert.ok(!label.startsWith('__'), `${label} must not take the reserved __ prefix`);
  }
});

test('the configured keys map to label names in order, a repeated key once', () => {
  assert.deepEqual(
    [...attributeLabelNames(['service', 'env', 'env', 'team'])],
    [
      ['service', 'attr_service'],
      ['env', 'attr_env'],
      ['team', 'attr_team'],
    ],
  );
});

test('two keys that sanitise to one label name, or an empty key, are refused with both named', () => {
  assert.throws(() => attributeLabelNames(['a.b', 'a-b']), /"a\.b" and "a-b" both become the label attr_a_b/);
  assert.throws(() => attributeLabelNames(['']), /an attribute key must not be empty/);
});
