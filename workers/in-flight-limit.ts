// A counting semaphore shared by every probe thread, so the cap on probes in flight is global.

const SLOT = 0;
/** Re-check now and then in case a wake-up was missed between load and wait. */
const RECHECK_MS = 50;

export function createInFlightCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

export class InFlightLimit {
  private readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer, private readonly max: number) {
    this.cells = new Int32Array(buffer);
  }

  async acquire(): Promise<void> {
    for (;;) {
      const current = Atomics.load(this.cells, SLOT);
      if (current < this.max) {
        if (Atomics.compareExchange(this.cells, SLOT, current, current + 1) === current) return;
        continue;
      }
      const waiting = Atomics.waitAsync(this.cells, SLOT, current, RECHECK_MS);
      if (waiting.async) await waiting.value;
    }
  }

  release(): void {
    Atomics.sub(this.cells, SLOT, 1);
    Atomics.notify(this.cells, SLOT, 1);
  }
}

/** Only safe between cycles, when no probe can hold a slot (a killed worker never releases its own). */
export function resetInFlightCounter(buffer: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(buffer), SLOT, 0);
}
