// The probe table: one attempt function per URL scheme. A new protocol is a file and an entry here.
import type { ProbeAttempt } from './attempt.js';
import { probeHttpOnce } from './http.js';

export const PROBES: Readonly<Record<string, ProbeAttempt>> = {
  'http:': probeHttpOnce,
  'https:': probeHttpOnce,
};

export type { AttemptOutcome, ProbeAttempt } from './attempt.js';
