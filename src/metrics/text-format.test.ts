import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHelp, escapeLabelValue, familyHeader, formatSampleValue } from './text-format.js';

test('a label value escapes backslash, double quote and line feed, and nothing else', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['', ''],
    ['a "quoted" word', 'a \\"quoted\\" word'],
    ['C:\\path', 'C:\\\\path'],
    ['one\ntwo', 'one\\ntwo'],
    // A backslash before n stays two characters, not a line feed: the backslash is escaped first.
    ['\\n', '\\\\n'],
    ['tab\tand return\r', 'tab\tand return\r'],
    ['région 🙂', 'région 🙂'],
  ];
  for (const [value, escaped] of cases) assert.equal(escapeLabelValue(value), escaped, JSON.stringify(value));
});

test('help text escapes backslash and line feed; double quotes stay', () => {
  assert.equal(escapeHelp('say "hi"\\now\nthen'), 'say "hi"\\\\now\\nthen');
  assert.equal(familyHeader('x_total', 'What\nit is', 'gauge'), '# HELP x_total What\\nit is\n# TYPE x_total gauge');
});

test('sample values print as prom-client prints them', () => {
  const cases: [number, string][] = [
    [1, '1'],
    [0, '0'],
    [-0, '0'],
    [0.25, '0.25'],
    [1_700_000_000.25, '1700000000.25'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e-7, '1e-7'],
    [1e21, '1e+21'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'Nan'],
  ];
  for (const [value, text] of cases) assert.equal(formatSampleValue(value), text, String(value));
});
