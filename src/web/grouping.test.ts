import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupBy, UNGROUPED } from './grouping.js';

test('the first key a service has names its group; none of them: the ungrouped, listed last', () => {
  const services: { id: string; attributes: Record<string, string> }[] = [
    { id: 'a', attributes: { team: 'core' } },
    { id: 'b', attributes: { group: 'Payments', team: 'core' } },
    { id: 'c', attributes: {} },
    { id: 'd', attributes: { group: '  ', team: 'core' } },
    { id: 'e', attributes: { group: 'Auth' } },
  ];
  const groups = groupBy(services, (service) => service.attributes, ['group', 'team']);
  assert.deepEqual(
    groups.map((group) => [group.name, group.items.map((service) => service.id)]),
    [
      ['Auth', ['e']],
      ['core', ['a', 'd']],
      ['Payments', ['b']],
      [UNGROUPED, ['c']],
    ],
  );
});
