import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHttpUrl, parseTargetUrl, schemeList } from './url-text.js';

test('schemes are listed as a person writes them', () => {
  assert.equal(schemeList(['http:']), 'http');
  assert.equal(schemeList(['http:', 'https:']), 'http or https');
  assert.equal(schemeList(['http:', 'https:', 'tcp:']), 'http, https or tcp');
});

test('the refusal of a scheme names every accepted one', () => {
  const notAbsolute = 'must be an absolute URL';
  assert.deepEqual(parseHttpUrl('ftp://host/', notAbsolute), { problem: 'must use http or https, not ftp' });
  assert.deepEqual(parseTargetUrl('ftp://host/', notAbsolute, ['http:', 'https:', 'tcp:']), {
    problem: 'must use http, https or tcp, not ftp',
  });
  const accepted = parseTargetUrl('tcp://host:5432', notAbsolute, ['http:', 'https:', 'tcp:']);
  assert.ok('url' in accepted);
  assert.equal(accepted.url.hostname, 'host');
});

test('every scheme needs a host and takes no credentials', () => {
  const schemes = ['http:', 'tcp:'];
  assert.deepEqual(parseTargetUrl('tcp://', 'not absolute', schemes), { problem: 'must name a host' });
  assert.deepEqual(parseTargetUrl('tcp://u:p@host:1', 'not absolute', schemes), {
    problem: 'must not contain credentials',
  });
  assert.deepEqual(parseTargetUrl('localhost:9001', 'not absolute', schemes), { problem: 'not absolute' });
});
