// Writes every store event to the log: the first and simplest notifier.
import type { Logger } from 'pino';
import type { MonitorEvents, StorageHealth } from '../store/events.js';

/** Returns a function that unsubscribes. */
export function subscribeLogNotifier(events: MonitorEvents, logger: Logger): () => void {
  const log = logger.child({ component: 'events' });
  const onRegistered = ({
    service,
    created,
  }: {
    service: { request: { id: string; url: string } };
    created: boolean;
  }): void =>
    log.info(
      { service: service.request.id, url: service.request.url, created },
      created ? 'registered' : 're-registered',
    );
  const onDeregistered = ({ serviceId, cause }: { serviceId: string; cause: string }): void =>
    log.info({ service: serviceId, cause }, 'deregistered');
  const onTransition = ({
    serviceId,
    from,
    to,
    reason,
  }: {
    serviceId: string;
    from: { health: string };
    to: { health: string; ready: boolean };
    reason: string;
  }): void => log.info({ service: serviceId, from: from.health, to: to.health, ready: to.ready, reason }, 'transition');
  const onCycle = ({ size, applied, durationMs }: { size: number; applied: number; durationMs: number }): void =>
    log.debug({ size, applied, durationMs }, 'cycle');
  events.on('registered', onRegistered);
  events.on('deregistered', onDeregistered);
  events.on('transition', onTransition);
  const onStorage = (storage: StorageHealth): void => {
    const { status, lastError, unsavedServices, unsavedTransitions, droppedTransitions } = storage;
    if (status === 'failing')
      log.error(
        { error: lastError, unsavedServices, unsavedTransitions },
        'storage failing: writes are refused, probe results wait in memory',
      );
    else log.info({ droppedTransitions }, 'storage recovered: writes resume');
  };
  events.on('cycle', onCycle);
  events.on('storage', onStorage);
  return () => {
    events.off('storage', onStorage);
    events.off('registered', onRegistered);
    events.off('deregistered', onDeregistered);
    events.off('transition', onTransition);
    events.off('cycle', onCycle);
  };
}
