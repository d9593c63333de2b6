/** The cloud link as the console dashboard shows it (adapts edge/cloud's CloudLink.status()). */
import type { Db } from '../../store/db.js';
import type { CloudLinkView } from '../services.js';

interface CloudStatusSource {
  status(): { state: string; since: number; lastError: string | undefined; outboxDepth: number };
}

export function cloudLinkView(link: CloudStatusSource, db: Db): CloudLinkView {
  // The outbox keeps each message's enqueue time; the oldest one says how far behind the link is.
  let oldest: { get(): unknown } | undefined;
  try {
    oldest = db.prepare('SELECT MIN(created_at) AS at FROM cloud_outbox');
  } catch {
    oldest = undefined; // table not created (cloud area not migrated): no figure rather than a failure
  }
  return {
    state() {
      const s = link.status();
      const row = oldest?.get() as { at: number | null } | undefined;
      return {
        state: s.state,
        connected: s.state === 'online',
        lastError: s.lastError,
        lastConnectedAt: s.state === 'online' ? s.since : undefined,
        outboxDepth: s.outboxDepth,
        oldestQueuedAt: row?.at ?? undefined,
      };
    },
  };
}
