// Which shard a service belongs to: the same function the database computes for services.shard.
import { createHash } from 'node:crypto';

/** Fixed: changing it would move every service, so it is part of the schema. */
export const SHARD_COUNT = 256;

/** The first 32 bits of the id's MD5, modulo SHARD_COUNT: stable across processes, versions and PostgreSQL. */
export function shardOf(serviceId: string): number {
  return Number.parseInt(createHash('md5').update(serviceId).digest('hex').slice(0, 8), 16) % SHARD_COUNT;
}
