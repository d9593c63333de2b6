/** The outbox's message classes, rows, drop counts and drop order (outbox.ts). */
export type OutboxClass = 'property' | 'event' | 'record';
/** Drop order when the quota is reached: first entry goes first. */
export const DROP_ORDER: readonly OutboxClass[] = ['property', 'event', 'record'];

export interface OutboxInput {
  productKey: string;
  deviceName: string;
  class: OutboxClass;
  topic: string;
  /** Builds the payload once the Alink id is known (ids are allocated inside the transaction). */
  payload: (alinkId: string) => string;
  /** What the row stands for (`pass:<passId>`): given to `onAcknowledged` listeners when the platform acknowledges it. */
  ref?: string;
}

export interface OutboxRow {
  seq: number;
  device: string;
  class: OutboxClass;
  alinkId: string;
  topic: string;
  payload: string;
  createdAt: number;
  bytes: number;
  ref: string | null;
}

export interface DroppedCounts {
  property: number;
  event: number;
  record: number;
  since: number;
}

/** Drop `excess` messages, the oldest of the cheapest class first; `counted` hears each class's count. */
export function dropOldest(messages: OutboxInput[], excess: number, counted: (cls: OutboxClass, dropped: number) => void): OutboxInput[] {
  let out = messages;
  let left = excess;
  for (const cls of DROP_ORDER) {
    if (left <= 0) break;
    let dropped = 0;
    out = out.filter((m) => {
      if (m.class !== cls || dropped >= left) return true;
      dropped++;
      return false;
    });
    if (dropped === 0) continue;
    left -= dropped;
    counted(cls, dropped);
  }
  return out;
}
