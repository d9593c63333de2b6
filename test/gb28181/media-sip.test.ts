/**
 * The client INVITE transaction of protocols/gb28181/invite.ts against a bare SIP camera over
 * loopback UDP: an INVITE the camera does not answer is sent again (Timer A) until its 100; a 1xx
 * without a final answer gives up after the proceeding wait; an error answer is ACKed in its
 * transaction; a 2xx is ACKed, and ACKed again when
 * it comes again (the ACK was lost); an error status comes back as such; a BYE of the device for
 * an unknown dialog is 481; the box's BYE reaches the camera.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gb28181Server } from '../../protocols/gb28181/index.js';
import { InviteClient } from '../../protocols/gb28181/invite.js';
import { header, serialize, type SipRequest } from '../../protocols/gb28181/message.js';
import { responseTo } from '../../protocols/gb28181/response.js';
import { buildOffer } from '../../protocols/gb28181/sdp.js';
import { answerSdp } from '../../scripts/sim/gb28181/media.js';
import { parseOffer } from '../../protocols/gb28181/sdp.js';
import { waitFor } from '../helpers/wait.js';
import { BOX_ID, DOMAIN, SipClient } from './client.js';

const CAM = '34020000001320000007';
let server: Gb28181Server;
let cam: SipClient;
let invites: InviteClient;
let udpPort = 0;
const got: SipRequest[] = [];
/** What the camera does with the next INVITE it sees: a function of how many copies it has seen. */
let onInvite: (req: SipRequest, copies: number) => void = () => undefined;

const offer = () => buildOffer({ serverId: BOX_ID, address: '127.0.0.1', port: 30000, ssrc: '0200000001', transport: 'udp' });
const reply = (req: SipRequest, status: number, body?: Buffer) =>
  cam.raw(serialize(responseTo(req, status, [['Contact', `<sip:${CAM}@127.0.0.1:${cam.localPort}>`]], body)));
const ok200 = (req: SipRequest) => reply(req, 200, answerSdp(parseOffer(req.body.toString())!, { deviceId: CAM }));
const of = (method: string, callId?: string) => got.filter((r) => r.method === method && (!callId || header(r, 'call-id') === callId));

beforeAll(async () => {
  server = new Gb28181Server(
    {
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      advertise: '127.0.0.1',
      serverId: BOX_ID,
      domain: DOMAIN,
      password: 'pw-media',
      keepaliveIntervalS: 60,
      keepaliveMisses: 3,
      nonceTtlS: 300,
    },
    {
      passwordOf: (id) => (id === CAM ? 'pw-media' : undefined),
      online: () => undefined,
      offline: () => undefined,
      keepalive: () => undefined,
      catalog: () => undefined,
      manscdp: () => undefined,
      unknown: () => undefined,
      refused: () => undefined,
      bye: (req) => invites.byeFromDevice(req).response,
      stray: (res) => invites.stray(res),
    },
  );
  udpPort = (await server.listen()).udp.port;
  invites = new InviteClient(server.transport, { serverId: BOX_ID, domain: DOMAIN, advertise: '127.0.0.1', proceedingMs: 800 });
  cam = await new SipClient(CAM, udpPort).open('udp');
  cam.onRequest = (req) => {
    got.push(req);
    if (req.method === 'INVITE') onInvite(req, of('INVITE', header(req, 'call-id')).length);
    if (req.method === 'BYE') reply(req, 200);
  };
  expect((await cam.register('pw-media')).status).toBe(200);
});

afterAll(async () => {
  await cam?.close();
  await server?.close();
});

describe('client INVITE transaction', () => {
  it('sends the INVITE again until the camera answers, ACKs the 200 and again when it repeats', async () => {
    onInvite = (req, copies) => {
      if (copies < 2) return; // the first copy "lost"
      reply(req, 100);
      ok200(req);
    };
    const r = await invites.invite(server.peerOf(CAM)!, CAM, '0200000001', offer());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const inv = of('INVITE', r.dialog.callId);
    expect(inv.length).toBeGreaterThanOrEqual(2);
    expect(header(inv[0]!, 'subject')).toBe(`${CAM}:0200000001,${BOX_ID}:0`);
    expect(r.dialog.answer).toMatchObject({ port: 15060, transport: 'udp', ssrc: '0200000001' });
    await waitFor(() => of('ACK', r.dialog.callId).length === 1, 3000);
    ok200(inv[0]!); // the 200 again: our ACK was "lost"
    await waitFor(() => of('ACK', r.dialog.callId).length === 2, 3000);
    expect(await invites.bye(r.dialog)).toBe(200);
    expect(of('BYE', r.dialog.callId)).toHaveLength(1);
    expect(invites.open).toBe(0);
  }, 60_000);

  it('gives up after a 100 without a final answer, and reports an error status', async () => {
    onInvite = (req) => reply(req, 100);
    const silent = await invites.invite(server.peerOf(CAM)!, CAM, '0200000002', offer());
    expect(silent).toMatchObject({ ok: false, status: 408 });
    onInvite = (req) => reply(req, 486);
    const busy = await invites.invite(server.peerOf(CAM)!, CAM, '0200000003', offer());
    expect(busy).toMatchObject({ ok: false, status: 486 });
    const callId = header(of('INVITE').at(-1)!, 'call-id');
    await waitFor(() => of('ACK', callId).length === 1, 3000); // the error answer is ACKed
    expect(header(of('ACK', callId)[0]!, 'via')).toBe(header(of('INVITE', callId)[0]!, 'via'));
    expect(invites.open).toBe(0);
  }, 60_000);

  it("answers a device's BYE for no dialog with 481", async () => {
    const { cseq } = cam.request('BYE', [], Buffer.alloc(0), undefined, {
      from: `<sip:${CAM}@${DOMAIN}>;tag=x`,
      to: `<sip:${BOX_ID}@${DOMAIN}>;tag=y`,
      callId: 'nope',
    });
    expect((await cam.answer(cseq)).status).toBe(481);
  });
});
