// Lets each V8 heap (the API thread's and every worker's) grow by a fifth between full collections
// instead of by V8's own factor of up to 4: this monitor promotes garbage steadily, and old space
// then reached three times the live heap before it was collected (docs/performance.md, "Heap growth").
// Imported first by main.ts; a --heap-growing-percent given to node wins.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

const FLAG = '--heap-growing-percent';
if (!process.execArgv.some((arg) => arg.startsWith(FLAG))) setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
