// Services grouped for the status page by the first of STATUS_GROUP_BY's attribute keys each one has.

export const UNGROUPED = 'Other services';

export interface Grouped<T> {
  readonly name: string;
  readonly items: readonly T[];
}

/** Groups sorted by name, the ungrouped last; items keep their order. */
export function groupBy<T>(
  items: readonly T[],
  attributesOf: (item: T) => Readonly<Record<string, string>>,
  keys: readonly string[],
): Grouped<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const attributes = attributesOf(item);
    const key = keys.find((candidate) => (attributes[candidate] ?? '').trim() !== '');
    const name = key === undefined ? UNGROUPED : (attributes[key] ?? '').trim();
    let members = groups.get(name);
    if (members === undefined) groups.set(name, (members = []));
    members.push(item);
  }
  return [...groups]
    .sort(([a], [b]) => (a === UNGROUPED ? 1 : b === UNGROUPED ? -1 : a.localeCompare(b)))
    .map(([name, members]) => ({ name, items: members }));
}
