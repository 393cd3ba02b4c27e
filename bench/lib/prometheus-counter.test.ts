// The protocols step's reading of health_monitor_probes_total: every label set summed, or those with
// one label's value; look-alike families and comments left out; a broken value refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counterSamples, counterTotal } from './prometheus-counter.js';

const TEXT = [
  '# HELP health_monitor_probes_total Probe results that came back, by outcome.',
  '# TYPE health_monitor_probes_total counter',
  'health_monitor_probes_total{outcome="answered",protocol="grpc"} 1200',
  'health_monitor_probes_total{outcome="unreachable",protocol="grpc"} 30',
  'health_monitor_probes_total{protocol="http",outcome="answered"} 7',
  'health_monitor_probes_total{outcome="monitor_error",protocol="tcp"} 0',
  'health_monitor_probes_total_created 1700000000',
  'health_monitor_probes_totally{outcome="answered"} 99',
  'health_monitor_services 1000',
  'health_monitor_service_info{id="a \\"quoted\\" one",group="x,y"} 1',
  '',
].join('\n');

test('the samples of one family with their labels, summed whole or by label', () => {
  assert.deepEqual(counterSamples(TEXT, 'health_monitor_probes_total').length, 4);
  assert.equal(counterTotal(TEXT, 'health_monitor_probes_total'), 1237);
  assert.equal(counterTotal(TEXT, 'health_monitor_probes_total', { outcome: 'answered' }), 1207);
  assert.equal(counterTotal(TEXT, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'grpc' }), 1200);
  assert.equal(counterTotal(TEXT, 'health_monitor_services'), 1000);
  assert.deepEqual(counterSamples(TEXT, 'health_monitor_service_info')[0]?.labels, {
    id: 'a "quoted" one',
    group: 'x,y',
  });
});

test('a family that is missing, or a value that is not a number, is an error', () => {
  assert.throws(() => counterTotal(TEXT, 'health_monitor_cycles_total'), /no health_monitor_cycles_total sample/);
  assert.throws(
    () => counterTotal('health_monitor_probes_total{outcome="answered"} many\n', 'health_monitor_probes_total'),
    /"many" is not a number/,
  );
});
