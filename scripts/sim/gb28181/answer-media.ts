/**
 * The simulated device's side of a media session (GB/T 28181-2016 §9.2): INVITE → 200 with the
 * camera's SDP (./media.ts), ACK → the test-pattern stream starts, BYE → it stops. Plugged into
 * a device's `onOtherRequest`, so `npm run sim -- gb28181` serves the box's live push, playback
 * and snapshots like a camera.
 *
 * For the box's tests it can also be slow: `answerDelayMs` sends 100 Trying and 180 Ringing at
 * once and the 200 that much later; a CANCEL before it is answered 200 and the INVITE 487
 * (RFC 3261 §9.2), unless `ignoreCancel` (the 200 then crosses the CANCEL, which gets 481).
 * In-dialog INFO (playback control, MANSRTSP, §9.8) is answered 200. What the box sent is kept
 * in the returned record: INVITE Request-URIs and SDP, CANCELs, INFO bodies, ACKs and BYEs by Call-ID.
 */
import { header, type SipRequest } from '../../../protocols/gb28181/message.js';
import type { SimGbDevice } from './device.js';
import { CameraMedia, type CameraMediaOptions } from './media.js';

type Reply = (status: number, body?: Buffer, extra?: [string, string][]) => void;

export interface AnswerOptions extends Omit<CameraMediaOptions, 'deviceId'> {
  /** Answer 100 and 180 at once, the 200 this much later, ms. */
  answerDelayMs?: number;
  /** Let a CANCEL go unheeded (481): the delayed 200 is still sent. */
  ignoreCancel?: boolean;
}

export interface MediaRecord {
  sessions: Map<string, CameraMedia>;
  invites: Array<{ callId: string; uri: string; sdp: string }>;
  cancels: string[];
  infos: Array<{ callId: string; contentType: string; body: string }>;
  acks: string[];
  byes: string[];
}

export function answerMedia(device: SimGbDevice, o: AnswerOptions = {}): MediaRecord {
  const rec: MediaRecord = { sessions: new Map(), invites: [], cancels: [], infos: [], acks: [], byes: [] };
  const { sessions } = rec;
  /** INVITEs whose 200 is delayed: their reply and timer, for a CANCEL. */
  const waiting = new Map<string, { reply: Reply; timer: NodeJS.Timeout }>();
  const answer = async (m: SipRequest, reply: Reply, callId: string) => {
    let media = sessions.get(callId);
    if (!media) {
      // The Request-URI names the channel (an NVR's INVITE is for one of its channels).
      const target = /^sip:(\d{20})@/.exec(m.uri)?.[1] ?? device.o.id;
      media = CameraMedia.fromInvite(m.body, { ...o, deviceId: target });
      if (!media) return reply(488);
      if (media.offer.tcp && media.offer.setup === 'active') await media.listenForBox();
      sessions.set(callId, media);
      void media.ended.then(() => sessions.delete(callId));
    }
    reply(200, media.answer(), [
      ['Contact', `<sip:${device.o.id}@${device.o.localAddress}:${device.port}>`],
      ['Content-Type', 'APPLICATION/SDP'],
    ]);
  };
  device.onOtherRequest = (m: SipRequest, reply: Reply) => {
    const callId = header(m, 'call-id') ?? '';
    if (m.method === 'INVITE') {
      if (waiting.has(callId)) return; // a retransmission while the 200 is delayed
      if (!sessions.has(callId)) rec.invites.push({ callId, uri: m.uri, sdp: m.body.toString('latin1') });
      if (!o.answerDelayMs) return void answer(m, reply, callId);
      reply(100);
      reply(180);
      const timer = setTimeout(() => {
        waiting.delete(callId);
        void answer(m, reply, callId);
      }, o.answerDelayMs);
      timer.unref();
      waiting.set(callId, { reply, timer });
    } else if (m.method === 'CANCEL') {
      rec.cancels.push(callId);
      const w = waiting.get(callId);
      if (!w || o.ignoreCancel) return reply(481);
      clearTimeout(w.timer);
      waiting.delete(callId);
      reply(200);
      w.reply(487);
    } else if (m.method === 'ACK') {
      rec.acks.push(callId);
      const media = sessions.get(callId);
      if (media && !media.running) void media.start().catch(() => undefined);
    } else if (m.method === 'INFO') {
      if (!sessions.has(callId)) return reply(481);
      rec.infos.push({ callId, contentType: header(m, 'content-type') ?? '', body: m.body.toString('utf8') });
      reply(200);
    } else if (m.method === 'BYE') {
      rec.byes.push(callId);
      sessions.get(callId)?.stop();
      sessions.delete(callId);
      reply(200);
    } else reply(405);
  };
  return rec;
}
