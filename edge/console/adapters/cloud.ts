/** The cloud link as the console dashboard shows it (adapts edge/cloud's CloudLink.status()), with the box health of R41. */
import type { R41Health } from '../../box-health/r41.js';
import type { CloudLinkView } from '../services.js';

interface CloudStatusSource {
  status(): { state: string; since: number; lastError: string | undefined; outboxDepth: number; oldestQueuedAt: number | undefined };
}

export function cloudLinkView(link: CloudStatusSource, health?: () => R41Health): CloudLinkView {
  return {
    ...(health ? { health } : {}),
    state() {
      const s = link.status();
      return {
        state: s.state,
        connected: s.state === 'online',
        lastError: s.lastError,
        lastConnectedAt: s.state === 'online' ? s.since : undefined,
        outboxDepth: s.outboxDepth,
        oldestQueuedAt: s.oldestQueuedAt,
      };
    },
  };
}
