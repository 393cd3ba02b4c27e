// Attribute keys made into Prometheus label names for health_monitor_service_info.

/** Prefixed so no attribute can clash with the `service` id label or take a reserved `__` name. */
export const ATTRIBUTE_LABEL_PREFIX = 'attr_';

/**
 * `attr_` + the key with every character outside `[a-zA-Z0-9_]` made `_` (one per code point).
 * The prefix starts the name with a letter, so a leading digit or `__` in the key needs no other rule.
 */
export function attributeLabelName(key: string): string {
  return ATTRIBUTE_LABEL_PREFIX + key.replace(/[^a-zA-Z0-9_]/gu, '_');
}

/**
 * The label name for each configured attribute key, in configured order, repeats dropped.
 * Two keys that become the same label name would make one sample ambiguous: refused.
 */
export function attributeLabelNames(keys: readonly string[]): ReadonlyMap<string, string> {
  const byKey = new Map<string, string>();
  const keyByLabel = new Map<string, string>();
  for (const key of keys) {
    if (key === '') throw new Error('prom attribute labels: an attribute key must not be empty');
    if (byKey.has(key)) continue;
    const label = attributeLabelName(key);
    const other = keyByLabel.get(label);
    if (other !== undefined) {
      throw new Error(
        `prom attribute labels: "${other}" and "${key}" both become the label ${label}; keep only one of them`,
      );
    }
    byKey.set(key, label);
    keyByLabel.set(label, key);
  }
  return byKey;
}
