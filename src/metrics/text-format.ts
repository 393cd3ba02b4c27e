// Pieces of the Prometheus text format 0.0.4 written exactly as prom-client 15 writes them, so the
// families rendered here read the same, byte for byte, as the ones prom-client renders beside them.

// One test per string: most values have nothing to escape, and a failed test is cheaper than three replaces.
const LABEL_VALUE_SPECIALS = /[\\\n"]/;
const HELP_SPECIALS = /[\\\n]/;

/** A label value between its double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  if (!LABEL_VALUE_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: backslash and line feed escaped; a double quote stays as it is. */
export function escapeHelp(text: string): string {
  if (!HELP_SPECIALS.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * A sample value as prom-client prints it: JavaScript's shortest round-trip form (`1`, `0.25`,
 * `1700000000.25`, `1e-7`, `1e+21`), `+Inf`/`-Inf`, and `Nan` for NaN. `Nan` is prom-client's
 * spelling, not the format's `NaN`; Prometheus parses either, and keeping it keeps the text unchanged.
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

/** `# HELP` and `# TYPE` of one family, without a final line feed. */
export function familyHeader(name: string, help: string, type: 'gauge'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}
