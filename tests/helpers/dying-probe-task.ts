// A probe task whose thread dies in the middle of a batch when a target tells it to. A batch holding
// a job whose id starts with `die` first fetches that job's URL (the test holds the answer until it
// wants the crash), then, if the answer carries `x-die: exit` or `x-die: throw`, exits the thread or
// throws an uncaught error while the batch's other probes are still running. Any other answer, and
// any other batch, runs the real task: the test decides which cycle crashes, the worker does not.
import type { ProbeBatchTask, ProbeResult } from '../../src/domain/index.js';
import probeBatch from '../../workers/probe-task.js';

export default async function dieOrProbe(task: ProbeBatchTask): Promise<ProbeResult[]> {
  const trigger = task.jobs.find((job) => job.serviceId.startsWith('die'));
  if (trigger === undefined) return probeBatch(task);
  // The batch's other probes start now: they are in flight when the thread dies.
  const others = probeBatch({ jobs: task.jobs.filter((job) => job !== trigger) });
  const order = (await fetch(trigger.url)).headers.get('x-die');
  if (order === 'exit') process.exit(3);
  if (order === 'throw') {
    // Outside the task's promise, so it is uncaught: Node ends the thread, as it would on a bug in a probe.
    setTimeout(() => {
      throw new Error('a probe threw outside its promise');
    });
    await new Promise(() => undefined);
  }
  const [rest, own] = await Promise.all([others, probeBatch({ jobs: [trigger] })]);
  return [...rest, ...own];
}
