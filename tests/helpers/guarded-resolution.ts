// Name resolution and refusals as the target guard sees them: a resolver answering from a fixed table,
// and the policy's reason for refusing a request through a guarded agent.
import type { LookupAddress } from 'node:dns';
import { request, type Agent } from 'undici';
import { refusalReason, type Resolver } from '../../src/net/target-guard.js';

/** Answers from a fixed table, as a DNS server would; records what it was asked. */
export function fixedResolver(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

/** The policy's reason when the request through `agent` is refused, `null` when it went through. */
export async function refusalOf(url: string, agent: Agent): Promise<string | null> {
  try {
    const answer = await request(url, { dispatcher: agent });
    await answer.body.dump();
    return null;
  } catch (error) {
    const reason = refusalReason(error);
    if (reason === null) throw error;
    return reason;
  }
}
