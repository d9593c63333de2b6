/** The kill -9 test's cloud-side reader (kill-passes-rig.ts): pass ids read from the realtime and the history form of outbox messages. */
import { describe, expect, it } from 'vitest';
import { eventPost, realtimeToHistory } from '../../edge/cloud/alink/messages.js';
import { alinkTopics } from '../../edge/cloud/alink/topics.js';
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { passesOf } from './kill-passes-rig.js';

describe('pass ids at the cloud', () => {
  /** A post as the stand-in records it. */
  const posted = (device: string, id: string, m: { topic: string; payload: string }): Post => ({
    topic: m.topic,
    device,
    id,
    body: JSON.parse(m.payload) as Record<string, unknown>,
    loggedIn: true,
    at: 0,
    kind: m.topic.endsWith('/history/post') ? 'history' : `event:${m.topic.split('/')[6]}`,
  });

  it('are read from the realtime and the history form of the outbox messages, in the contract shapes', () => {
    const [pk, dn] = ['PEDoorCard', 'KILL-DOOR-01.3'];
    const card = {
      code: 0,
      message: 'success',
      type: 'tradCard',
      content: 'KC7',
      extInfo: JSON.stringify({ type: 'tradCard', cardId: 'KC7', passId: 'p-7' }),
    };
    const realtime = { topic: alinkTopics.eventPost(pk, dn, 'passEvent'), payload: eventPost('12', 'passEvent', card, 1700000000000) };
    const history = realtimeToHistory(pk, dn, realtime.topic, realtime.payload)!;
    const face = {
      topic: alinkTopics.eventPost('PEDoorFace', 'KILL-DOOR-01.1', 'OnMatched'),
      payload: eventPost('3', 'OnMatched', { code: 0, faceId: 'kill-face-9', eventId: 'p-9' }, 1700000000000),
    };
    const a = passesOf(posted(`${pk}/${dn}`, '12', realtime));
    const b = passesOf(posted(`${pk}/${dn}`, '12', history));
    expect(a).toEqual([expect.objectContaining({ passId: 'p-7', content: 'KC7', code: 0, form: 'realtime', message: `${pk}/${dn}#12` })]);
    expect(b).toEqual([expect.objectContaining({ passId: 'p-7', content: 'KC7', code: 0, form: 'history', message: `${pk}/${dn}#12` })]);
    expect(b[0]!.event).toBe(a[0]!.event); // a replay rewritten to history is still the same message
    expect(passesOf(posted('PEDoorFace/KILL-DOOR-01.1', '3', face))).toEqual([
      expect.objectContaining({ passId: 'p-9', content: 'kill-face-9', identifier: 'OnMatched' }),
    ]);
    // Today's short driver event has no id.
    const short = { topic: realtime.topic, payload: eventPost('13', 'passEvent', { type: 'CARD', credential: 'KC8' }, 1700000000000) };
    expect(passesOf(posted(`${pk}/${dn}`, '13', short))).toEqual([expect.objectContaining({ passId: undefined, content: 'KC8' })]);
  });
});
