// Persistence that keeps nothing beyond the process: state lives only in the store's memory.
import type { Persistence } from './persistence.js';
import type { ServiceRecord } from './service-record.js';

export class VolatilePersistence implements Persistence {
  async loadAll(): Promise<readonly ServiceRecord[]> {
    return [];
  }
  async saveRegistration(): Promise<void> {}
  async deleteRegistration(): Promise<void> {}
  async saveProbeBatch(): Promise<void> {}
  async close(): Promise<void> {}
}
