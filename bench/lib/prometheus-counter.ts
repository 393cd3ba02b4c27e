// One counter family read from the Prometheus text exposition, as a scraper reads it: every sample of
// the family with its labels, so the bench can sum them all or pick some by label.

export interface CounterSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** `outcome="answered",protocol="http"` as `{outcome: 'answered', protocol: 'http'}`, escapes undone. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    if (name !== undefined && value !== undefined)
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

/** Each sample of `name` in `text`, in the order written. */
export function counterSamples(text: string, name: string): CounterSample[] {
  const samples: CounterSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    // `name_created` or another family that merely starts with the same letters is not this one.
    const sample = /^(?:\{(.*)\})? (\S+)/.exec(line.slice(name.length));
    if (sample === null) continue;
    const value = Number(sample[2]);
    if (!Number.isFinite(value)) throw new Error(`${line}: "${sample[2]}" is not a number`);
    samples.push({ labels: parseLabels(sample[1] ?? ''), value });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `where` (all of them by default); throws when there are none. */
export function counterTotal(text: string, name: string, where: Readonly<Record<string, string>> = {}): number {
  const samples = counterSamples(text, name);
  if (samples.length === 0) throw new Error(`the exposition has no ${name} sample`);
  return samples
    .filter((sample) => Object.entries(where).every(([label, value]) => sample.labels[label] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}
