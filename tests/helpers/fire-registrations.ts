// A separate process that fires many registrations at once and prints `ack <id>` for each acknowledged one.
// Usage: node fire-registrations.js <monitor-url> <count> <id-prefix>
const [monitorUrl, countText, prefix = 'crash'] = process.argv.slice(2);
const count = Number(countText);
if (!monitorUrl || !Number.isInteger(count))
  throw new Error('usage: fire-registrations.js <monitor-url> <count> [prefix]');

await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    const id = `${prefix}-${i}`;
    try {
      const response = await fetch(`${monitorUrl}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          url: `http://127.0.0.1:19009/${id}`,
          attributes: { batch: prefix },
          poll_interval_sec: 3600,
        }),
      });
      if (response.status === 201 || response.status === 200) process.stdout.write(`ack ${id}\n`);
    } catch {
      // The monitor was killed: this one was never acknowledged.
    }
  }),
);
