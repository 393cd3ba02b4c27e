// The storage thread's side: runs SqlitePersistence for SqliteThreadPersistence, so SQLite's work (statements,
// commits, the JSON of states) runs here and not on the API thread. Each call starts when its message
// arrives, and its SQLite work runs to the end before the next message is read: calls are applied
// in the order they were made. Only what follows a commit (the fsync of a registry write) runs
// alongside later calls, as it does on SqlitePersistence's own thread.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runBehindTheApiThread } from '../../background-priority.js';
import { SqlitePersistence } from './sqlite-persistence.js';
import {
  CALL_NAMES,
  TEST_HOOK_EXIT_CODE,
  WRITE_CALLS,
  fromColumns,
  toWire,
  type CallName,
  type ProbeBatchColumns,
  type ReplyMessage,
  type RequestMessage,
  type StartMessage,
  type TestHook,
  type ThreadData,
} from './thread-protocol.js';

/** Starts a call: its SQLite work runs before this returns. A call that cannot start answers with why. */
function run(
  persistence: SqlitePersistence,
  method: Exclude<CallName, 'close'>,
  args: readonly unknown[],
): Promise<unknown> {
  try {
    if (method === 'saveProbeBatch') return persistence.saveProbeBatch(fromColumns(args[0] as ProbeBatchColumns));
    return (persistence[method] as (...args: unknown[]) => Promise<unknown>).call(persistence, ...args);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function serve(port: MessagePort, persistence: SqlitePersistence, testHooks: boolean): void {
  const underWay = new Set<Promise<unknown>>();
  let exitAt: Exclude<TestHook, 'exit-now'> | null = null;

  const reply = (message: ReplyMessage): void => {
    try {
      port.postMessage(message);
    } catch (error) {
      // A value the structured clone refuses: the caller still gets an answer.
      port.postMessage({ id: message.id, error: toWire(error) } satisfies ReplyMessage);
    }
  };

  const close = async (id: number): Promise<void> => {
    await Promise.allSettled(underWay);
    try {
      await persistence.close();
      reply({ id, value: undefined });
    } catch (error) {
      reply({ id, error: toWire(error) });
    }
    // Nothing else keeps the thread alive: it ends once this reply is sent.
    port.close();
  };

  port.on('message', (message: RequestMessage) => {
    if (message.method === 'testHook') {
      if (!testHooks)
        return reply({ id: message.id, error: toWire(new Error('test hooks are off for this storage thread')) });
      const [hook] = message.args;
      if (hook === 'exit-now') process.exit(TEST_HOOK_EXIT_CODE);
      exitAt = hook;
      return reply({ id: message.id, value: undefined });
    }
    if (message.method === 'close') return void close(message.id);
    if (!CALL_NAMES.has(message.method))
      return reply({ id: message.id, error: toWire(new Error(`the storage thread has no call "${message.method}"`)) });
    const isWrite = WRITE_CALLS.has(message.method);
    if (isWrite && exitAt === 'exit-before-next-write') process.exit(TEST_HOOK_EXIT_CODE);
    // The call's SQLite work, commit included, runs within this line; only its fsync is awaited later.
    const running = run(persistence, message.method, message.args);
    if (isWrite && exitAt === 'exit-after-next-commit') process.exit(TEST_HOOK_EXIT_CODE);
    underWay.add(running);
    void running
      .then(
        (value) => reply({ id: message.id, value }),
        (error: unknown) => reply({ id: message.id, error: toWire(error) }),
      )
      .finally(() => underWay.delete(running));
  });
}

/** Run by the storage thread's entry file (workers/storage-thread.ts). */
export function serveStorageThread(): void {
  const port = parentPort;
  if (port === null)
    throw new Error('workers/storage-thread.js runs as the worker thread of a SqliteThreadPersistence, not on its own');
  runBehindTheApiThread();
  const data = workerData as ThreadData;
  let persistence: SqlitePersistence;
  try {
    persistence = SqlitePersistence.open(data.path);
  } catch (error) {
    // The thread then ends by itself: nothing listens for messages.
    port.postMessage({ openFailed: toWire(error) } satisfies StartMessage);
    return;
  }
  serve(port, persistence, data.testHooks);
  port.postMessage({ ready: true } satisfies StartMessage);
}
