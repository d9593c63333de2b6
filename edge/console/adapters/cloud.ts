/** The cloud link as the console dashboard shows it (adapts edge/cloud's CloudLink.status()). */
import type { CloudLinkView } from '../services.js';

interface CloudStatusSource {
  status(): { state: string; since: number; lastError: string | undefined; outboxDepth: number; oldestQueuedAt: number | undefined };
}

export function cloudLinkView(link: CloudStatusSource): CloudLinkView {
  return {
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
