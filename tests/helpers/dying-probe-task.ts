// A probe task whose thread dies in the middle of a batch when a target tells it to. For a batch
// holding a job whose id starts with `die`, that job's URL is fetched first (the test holds the answer
// until it wants the crash) while the batch's other probes run; if the answer carries `x-die: exit` or
// `x-die: throw`, the thread exits or throws an uncaught error. Any other answer, and any other batch,
// runs the real task: the test decides which cycle crashes, the worker does not.
import type { ProbeBatchTask } from '../../src/probe/thread-messages.js';
import probeBatch, { openOutbox, probeInto } from '../../workers/probe-task.js';

export default async function dieOrProbe(task: ProbeBatchTask): Promise<void> {
  const trigger = task.jobs.find((job) => job.serviceId.startsWith('die'));
  if (trigger === undefined) return probeBatch(task);
  const outbox = openOutbox(task);
  probeInto(
    task.jobs.filter((job) => job !== trigger),
    outbox,
  );
  const order = (await fetch(trigger.url)).headers.get('x-die');
  if (order === 'exit') process.exit(3);
  if (order === 'throw') {
    // Outside the task's promise, so it is uncaught: Node ends the thread, as it would on a bug in a probe.
    setTimeout(() => {
      throw new Error('a probe threw outside its promise');
    });
    await new Promise(() => undefined);
  }
  probeInto([trigger], outbox);
  return outbox.done;
}
