/**
 * The box as UAC of GB/T 28181-2016 media sessions (§9.2 live, §9.8 playback): INVITE with the
 * SDP offer (./sdp.ts) to a camera or an NVR channel, the client INVITE transaction of RFC 3261
 * §17.1.1 (over UDP retransmitted at T1, 2·T1, … — Timer A — until a response, given up at
 * 64·T1 — Timer B; a 1xx stops the retransmissions and the final response is then waited for
 * `proceedingMs`), the ACK of an error answer (§17.1.1.3) and of a 2xx (sent again whenever the
 * 2xx is, §13.2.2.4), and BYE from
 * either side. An INVITE the box abandons after a 1xx — no final answer within `proceedingMs`, or
 * its owner's `signal` — is CANCELled (§9.1: same Request-URI, Call-ID, From, To, CSeq number and
 * Via branch); the device's 487 is ACKed, and a 200 that crossed the CANCEL is ACKed and BYEd
 * (§9.1: "the UAC ... will need to send a BYE"). Abandoned before any 1xx, the CANCEL waits for
 * one (§9.1 forbids it earlier). A session is one dialog: Call-ID, the box's From tag, the device's To tag and its
 * Contact as remote target.
 */
import { randomBytes } from 'node:crypto';
import { cseqOf, header, tagOf, type SipRequest, type SipResponse } from './message.js';
import { responseTo } from './response.js';
import { parseAnswer, type Answer } from './sdp.js';
import type { Peer, SipTransport } from './transport.js';

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Request-URI of in-dialog requests: the device's Contact, else the channel's URI. */
  target: string;
  from: string;
  to: string;
  peer: Peer;
  channelId: string;
  cseq: number;
  /** The INVITE's CSeq number, which every ACK of its 2xx repeats (§13.2.2.4), whatever came in the dialog since. */
  inviteCseq: number;
  answer: Answer;
}

export type InviteResult = { ok: true; dialog: Dialog } | { ok: false; status: number; reason: string };

export interface InviteOptions {
  serverId: string;
  domain: string;
  advertise: string;
  /** How long the final response is waited for after a 1xx, ms (cameras answer in a few seconds); then CANCEL. */
  proceedingMs?: number;
}

export interface InviteCall {
  onTrying?: (status: number) => void;
  /** Abandon the INVITE (the owner stopped before the session was up): CANCEL, or BYE a crossing 200. */
  signal?: AbortSignal;
}

/** How long the answer to a CANCEL (the 487, or a 200 that crossed it) is waited for: Timer B's 64·T1. */
const AFTER_CANCEL_MS = 32_000;

const tag = () => randomBytes(5).toString('hex');
const uriOf = (v: string | undefined) => (v ? /<([^>]+)>/.exec(v)?.[1] : undefined);

export class InviteClient {
  readonly #t: SipTransport;
  readonly #o: InviteOptions;
  /** Call-ID → dialog, for the ACK of a 2xx sent again and the device's BYE. */
  readonly #dialogs = new Map<string, Dialog>();
  #cseq = 1;

  constructor(transport: SipTransport, options: InviteOptions) {
    this.#t = transport;
    this.#o = options;
  }

  /** INVITE `channelId` through the registered device at `peer`; `ssrc` goes into Subject (§9.2.2.1). */
  async invite(peer: Peer, channelId: string, ssrc: string, sdp: Buffer, call: InviteCall = {}): Promise<InviteResult> {
    const o = this.#o;
    const { value: via, branch } = this.#t.via(peer);
    const callId = `${randomBytes(10).toString('hex')}@${o.advertise}`;
    const seq = this.#cseq++;
    const from = `<sip:${o.serverId}@${o.domain}>;tag=${tag()}`;
    const to = `<sip:${channelId}@${o.domain}>`;
    const req: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      uri: `sip:${channelId}@${peer.address}:${peer.port}`,
      headers: new Map([
        ['via', [via]],
        ['from', [from]],
        ['to', [to]],
        ['call-id', [callId]],
        ['cseq', [`${seq} INVITE`]],
        ['contact', [`<sip:${o.serverId}@${o.advertise}>`]],
        ['max-forwards', ['70']],
        ['subject', [`${channelId}:${ssrc},${o.serverId}:0`]],
        ['content-type', ['APPLICATION/SDP']],
      ]),
      body: sdp,
    };
    const proceedingMs = o.proceedingMs ?? 32_000;
    let trying: (() => void) | undefined;
    const provisional = new Promise<void>((r) => (trying = r));
    let giveUp: () => void = () => undefined;
    const abandoned = new Promise<'abandon'>((r) => (giveUp = () => r('abandon')));
    let proceedingTimer: NodeJS.Timeout | undefined;
    let proceeding = false;
    // The transport's own wait after a 1xx covers ours plus the CANCEL's answer.
    const final = this.#t
      .request(peer, req, branch, {
        provisional: (r) => {
          if (!proceeding) {
            proceeding = true;
            trying?.();
            proceedingTimer = setTimeout(giveUp, proceedingMs);
            proceedingTimer.unref();
          }
          call.onTrying?.(r.status);
        },
        proceedingMs: proceedingMs + AFTER_CANCEL_MS,
      })
      .catch((err: Error) => err);
    const onAbort = () => giveUp();
    if (call.signal?.aborted) giveUp();
    else call.signal?.addEventListener('abort', onAbort, { once: true });
    let outcome = await Promise.race([final, abandoned]);
    clearTimeout(proceedingTimer);
    call.signal?.removeEventListener('abort', onAbort);
    let cancelled = false;
    if (outcome === 'abandon') {
      cancelled = true;
      // No CANCEL before a provisional response (§9.1): a final one may come first and end it.
      const first = await Promise.race([provisional.then(() => 'trying' as const), final]);
      if (first === 'trying') void this.#cancel(peer, req, branch);
      outcome = await final;
    }
    if (outcome instanceof Error) return { ok: false, status: 408, reason: outcome.message };
    const res = outcome;
    if (res.status >= 300) {
      // The transaction's own ACK of a non-2xx (§17.1.1.3): the INVITE's Via branch, the answer's To.
      const ack: SipRequest = { ...req, method: 'ACK', headers: new Map(req.headers), body: Buffer.alloc(0) };
      ack.headers.set('to', [header(res, 'to') ?? to]);
      ack.headers.set('cseq', [`${seq} ACK`]);
      for (const h of ['contact', 'subject', 'content-type']) ack.headers.delete(h);
      this.#t.send(peer, ack);
      return {
        ok: false,
        status: res.status,
        reason: cancelled ? `cancelled (${res.status} ${res.reason})` : `${res.status} ${res.reason}`,
      };
    }
    const dialog: Dialog = {
      callId,
      localTag: tagOf(from)!,
      remoteTag: tagOf(header(res, 'to')) ?? '',
      target: uriOf(header(res, 'contact')) ?? req.uri,
      from,
      to: header(res, 'to') ?? to,
      peer,
      channelId,
      cseq: seq,
      inviteCseq: seq,
      answer: { address: '', port: 0, transport: 'udp', payloads: [], name: '' },
    };
    this.#ack(dialog);
    if (cancelled) {
      // The device's 200 crossed our CANCEL: the session exists, so it is ACKed and hung up.
      await this.bye(dialog);
      return { ok: false, status: 487, reason: 'cancelled; the 200 that crossed the CANCEL was ACKed and hung up with BYE' };
    }
    const answer = parseAnswer(res.body.toString('latin1'));
    if (!answer.ok) {
      // A 2xx is a session whatever its body: ACK, then end it (RFC 3261 §13.2.2.4).
      await this.bye(dialog);
      return { ok: false, status: 488, reason: answer.reason };
    }
    dialog.answer = answer.value;
    this.#dialogs.set(callId, dialog);
    return { ok: true, dialog };
  }

  /** CANCEL of a pending INVITE (§9.1): a transaction of its own, same branch; its answer is not needed. */
  async #cancel(peer: Peer, invite: SipRequest, branch: string): Promise<void> {
    const headers = new Map<string, string[]>();
    for (const h of ['via', 'from', 'to', 'call-id', 'max-forwards']) headers.set(h, invite.headers.get(h) ?? []);
    headers.set('cseq', [`${cseqOf(invite)?.seq ?? 1} CANCEL`]);
    const cancel: SipRequest = { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) };
    await this.#t.request(peer, cancel, branch).catch(() => undefined);
  }

  /** End a session from the box's side; the device's final status, or undefined when it did not answer. */
  async bye(d: Dialog): Promise<number | undefined> {
    this.#dialogs.delete(d.callId);
    const { value: via, branch } = this.#t.via(d.peer);
    const req = this.#inDialog(d, 'BYE', via, ++d.cseq);
    try {
      return (await this.#t.request(d.peer, req, branch)).status;
    } catch {
      return undefined;
    }
  }

  /** An in-dialog INFO (playback control, ./mansrtsp.ts); the device's final status, or undefined when it did not answer. */
  async info(d: Dialog, contentType: string, body: Buffer): Promise<number | undefined> {
    const { value: via, branch } = this.#t.via(d.peer);
    const req = this.#inDialog(d, 'INFO', via, ++d.cseq);
    req.headers.set('content-type', [contentType]);
    req.body = body;
    try {
      return (await this.#t.request(d.peer, req, branch)).status;
    } catch {
      return undefined;
    }
  }

  /** A device's BYE: the dialog it ends (and the 200 to send), or 481 for an unknown one. */
  byeFromDevice(req: SipRequest): { dialog?: Dialog; response: SipResponse } {
    const d = this.#dialogs.get(header(req, 'call-id') ?? '');
    if (!d || tagOf(header(req, 'to')) !== d.localTag) return { response: responseTo(req, 481) };
    this.#dialogs.delete(d.callId);
    return { dialog: d, response: responseTo(req, 200) };
  }

  /** A 2xx to INVITE that came again (our ACK was lost): ACK it again. */
  stray(res: SipResponse): void {
    const d = this.#dialogs.get(header(res, 'call-id') ?? '');
    if (d && res.status < 300 && cseqOf(res)?.method === 'INVITE') this.#ack(d);
  }

  get open(): number {
    return this.#dialogs.size;
  }

  #ack(d: Dialog): void {
    this.#t.send(d.peer, this.#inDialog(d, 'ACK', this.#t.via(d.peer).value, d.inviteCseq));
  }

  #inDialog(d: Dialog, method: 'ACK' | 'BYE' | 'INFO', via: string, seq: number): SipRequest {
    return {
      kind: 'request',
      method,
      uri: d.target,
      headers: new Map([
        ['via', [via]],
        ['from', [d.from]],
        ['to', [d.to]],
        ['call-id', [d.callId]],
        ['cseq', [`${seq} ${method}`]],
        ['max-forwards', ['70']],
      ]),
      body: Buffer.alloc(0),
    };
  }
}
