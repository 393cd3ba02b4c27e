// The probe and storage threads share the machine's cores with the API thread; on two cores, a read
// of /services/:id or a registration would otherwise wait while they run out their time slice. Linux
// schedules each thread on its own, and a thread may lower its own priority without privileges, so
// these threads step back whenever the API thread has work. Elsewhere setpriority() applies to the
// whole process, and the API thread would step back with them: there it is left alone.
import { getPriority, setPriority } from 'node:os';

/** How far below the API thread (in nice steps) the probe and storage threads run. */
export const BACKGROUND_NICE_STEPS = 10;
const LOWEST_PRIORITY = 19;

/** Lowers the calling thread's priority below the API thread's. Call it from a background thread. */
export function runBehindTheApiThread(): void {
  if (process.platform !== 'linux') return;
  try {
    // Relative to what the thread inherited: a monitor started under `nice` stays in that order, and
    // raising a priority would need privileges.
    setPriority(Math.min(LOWEST_PRIORITY, getPriority() + BACKGROUND_NICE_STEPS));
  } catch {
    // A sandbox that forbids it leaves the thread at the process's priority: slower reads, same results.
  }
}
