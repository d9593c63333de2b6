/**
 * The simulated device's side of a media session (GB/T 28181-2016 §9.2): INVITE → 200 with the
 * camera's SDP (./media.ts), ACK → the test-pattern stream starts, BYE → it stops. Plugged into
 * a device's `onOtherRequest`, so `npm run sim -- gb28181` serves the box's live push, playback
 * and snapshots like a camera.
 */
import { header, type SipRequest } from '../../../protocols/gb28181/message.js';
import type { SimGbDevice } from './device.js';
import { CameraMedia, type CameraMediaOptions } from './media.js';

type Reply = (status: number, body?: Buffer, extra?: [string, string][]) => void;

export function answerMedia(device: SimGbDevice, o: Omit<CameraMediaOptions, 'deviceId'> = {}): Map<string, CameraMedia> {
  const sessions = new Map<string, CameraMedia>();
  device.onOtherRequest = (m: SipRequest, reply: Reply) => {
    const callId = header(m, 'call-id') ?? '';
    if (m.method === 'INVITE') {
      void (async () => {
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
      })();
    } else if (m.method === 'ACK') {
      const media = sessions.get(callId);
      if (media && !media.running) void media.start().catch(() => undefined);
    } else if (m.method === 'BYE') {
      sessions.get(callId)?.stop();
      sessions.delete(callId);
      reply(200);
    } else reply(405);
  };
  return sessions;
}
