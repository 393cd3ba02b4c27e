// A counting semaphore shared by every probe thread, so the cap on probes in flight is global.
// Slow targets (see isSlowTarget) may hold every slot but one, so one hanging or black-holed host
// never starves the services that answer. Each thread also records the slots it holds, so the slots
// of a thread that dies can be given back.

/** Re-check now and then in case a wake-up was missed between load and wait. */
export const RECHECK_MS = 50;
/** Threads that can hold entries at once: the pool's 5 and replacements not yet seen to exit. */
const OWNERS = 16;
const TOTAL = 0;
const SLOW = 1;
const OWNER = 2;
const HELD = OWNER + OWNERS;
const HELD_SLOW = HELD + OWNERS;

export function createInFlightCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (2 + 3 * OWNERS));
}

/** Owner ids are thread ids plus one: 0 marks a free entry, and the main thread's id is 0. */
const ownerId = (threadId: number): number => threadId + 1;

/** The most slots slow targets may hold together: all but one, unless there is only one. */
export function slowSlotCap(max: number): number {
  return Math.max(1, max - 1);
}

export class InFlightLimit {
  private readonly cells: Int32Array;
  private readonly entry: number;
  private readonly maxSlow: number;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly max: number,
    threadId: number,
  ) {
    this.cells = new Int32Array(buffer);
    this.maxSlow = slowSlotCap(max);
    const owner = ownerId(threadId);
    const entry = Array.from({ length: OWNERS }, (_, i) => i).find(
      (i) => Atomics.compareExchange(this.cells, OWNER + i, 0, owner) === 0,
    );
    if (entry === undefined) throw new Error(`in-flight counter: all ${OWNERS} thread entries are taken`);
    this.entry = entry;
  }

  /** Takes a slot if one is free for this kind of target; never waits. */
  tryAcquire(slow: boolean): boolean {
    if (slow && !this.take(SLOW, this.maxSlow)) return false;
    if (!this.take(TOTAL, this.max)) {
      if (slow) Atomics.sub(this.cells, SLOW, 1);
      return false;
    }
    // Dying between these steps loses a slot until the pool is replaced: never one too many.
    Atomics.add(this.cells, HELD + this.entry, 1);
    if (slow) Atomics.add(this.cells, HELD_SLOW + this.entry, 1);
    return true;
  }

  async acquire(slow = false): Promise<void> {
    while (!this.tryAcquire(slow)) await this.changed();
  }

  /** Resolves when another holder may have released a slot (or after RECHECK_MS). */
  async changed(): Promise<void> {
    const waiting = Atomics.waitAsync(this.cells, TOTAL, Atomics.load(this.cells, TOTAL), RECHECK_MS);
    if (waiting.async) await waiting.value;
  }

  release(slow: boolean): void {
    if (slow) {
      Atomics.sub(this.cells, HELD_SLOW + this.entry, 1);
      Atomics.sub(this.cells, SLOW, 1);
    }
    Atomics.sub(this.cells, HELD + this.entry, 1);
    Atomics.sub(this.cells, TOTAL, 1);
    Atomics.notify(this.cells, TOTAL);
  }

  private take(cell: number, cap: number): boolean {
    for (;;) {
      const current = Atomics.load(this.cells, cell);
      if (current >= cap) return false;
      if (Atomics.compareExchange(this.cells, cell, current, current + 1) === current) return true;
    }
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
    Atomics.sub(cells, TOTAL, Atomics.exchange(cells, HELD + i, 0));
    Atomics.sub(cells, SLOW, Atomics.exchange(cells, HELD_SLOW + i, 0));
    Atomics.store(cells, OWNER + i, 0);
    Atomics.notify(cells, TOTAL);
  }
}

/** Probes in flight across every thread now, and how many of them are slow targets' (for tests). */
export function inFlightNow(buffer: SharedArrayBuffer): { total: number; slow: number } {
  const cells = new Int32Array(buffer);
  return { total: Atomics.load(cells, TOTAL), slow: Atomics.load(cells, SLOW) };
}
