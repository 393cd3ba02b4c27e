// Removed services, told to every probe thread: a prober that keeps a connection per service closes it
// when the service is deleted or expires, not at some later sweep.
import { BroadcastChannel } from 'node:worker_threads';

const CHANNEL_NAME = 'health-monitor:removed-services';

/** The main thread's side: one channel, told each removed service's id. */
export function removalAnnouncer(): { announce(serviceId: string): void; close(): void } {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.unref();
  return {
    announce: (serviceId) => channel.postMessage(serviceId),
    close: () => channel.close(),
  };
}

/** A probe thread's side: `listener` hears each removed service's id. The channel never keeps the thread alive. */
export function onServiceRemoved(listener: (serviceId: string) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.unref();
  channel.onmessage = (message) => {
    const data: unknown = (message as { data?: unknown }).data;
    if (typeof data === 'string') listener(data);
  };
  return () => channel.close();
}
