// A counting semaphore shared by every probe thread, so the cap on probes in flight is global.
// Each thread also records the slots it holds, so the slots of a thread that dies can be given back:
// with one thread running every lane, a crash would otherwise leave the rest of the cycle waiting forever.

/** Re-check now and then in case a wake-up was missed between load and wait. */
const RECHECK_MS = 50;
/** Threads that can hold entries at once: the pool's 5 and replacements not yet seen to exit. */
const OWNERS = 16;
const TOTAL = 0;
const OWNER = 1;
const HELD = OWNER + OWNERS;

export function createInFlightCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + 2 * OWNERS));
}

/** Owner ids are thread ids plus one: 0 marks a free entry, and the main thread's id is 0. */
const ownerId = (threadId: number): number => threadId + 1;

export class InFlightLimit {
  private readonly cells: Int32Array;
  private readonly entry: number;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly max: number,
    threadId: number,
  ) {
    this.cells = new Int32Array(buffer);
    const owner = ownerId(threadId);
    const entry = Array.from({ length: OWNERS }, (_, i) => i).find((i) => Atomics.compareExchange(this.cells, OWNER + i, 0, owner) === 0);
    if (entry === undefined) throw new Error(`in-flight counter: all ${OWNERS} thread entries are taken`);
    this.entry = entry;
  }

  async acquire(): Promise<void> {
    for (;;) {
      const current = Atomics.load(this.cells, TOTAL);
      if (current < this.max) {
        if (Atomics.compareExchange(this.cells, TOTAL, current, current + 1) === current) {
          // Dying between these two steps loses one slot until the next cycle: never one too many.
          Atomics.add(this.cells, HELD + this.entry, 1);
          return;
        }
        continue;
      }
      const waiting = Atomics.waitAsync(this.cells, TOTAL, current, RECHECK_MS);
      if (waiting.async) await waiting.value;
    }
  }

  release(): void {
    Atomics.sub(this.cells, HELD + this.entry, 1);
    Atomics.sub(this.cells, TOTAL, 1);
    Atomics.notify(this.cells, TOTAL, 1);
  }
}

/**
 * Gives back the slots of every thread not in `liveThreadIds`, and frees their entries. (A thread
 * that has exited no longer knows its own id, so the living ones are named instead.)
 */
export function reclaimSlotsOfExited(buffer: SharedArrayBuffer, liveThreadIds: readonly number[]): void {
  const cells = new Int32Array(buffer);
  const live = new Set(liveThreadIds.map(ownerId));
  for (let i = 0; i < OWNERS; i++) {
    const owner = Atomics.load(cells, OWNER + i);
    if (owner === 0 || live.has(owner)) continue;
    const held = Atomics.exchange(cells, HELD + i, 0);
    Atomics.sub(cells, TOTAL, held);
    Atomics.store(cells, OWNER + i, 0);
    Atomics.notify(cells, TOTAL);
  }
}

/** Only safe between cycles, when no probe can hold a slot. */
export function resetInFlightCounter(buffer: SharedArrayBuffer): void {
  const cells = new Int32Array(buffer);
  Atomics.store(cells, TOTAL, 0);
  for (let i = 0; i < OWNERS; i++) Atomics.store(cells, HELD + i, 0);
}

/** Probes in flight across every thread now (for tests). */
export function inFlightNow(buffer: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buffer), TOTAL);
}
