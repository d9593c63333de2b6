/**
 * The video benchmark's same-run baseline, in its own process so its CPU is its own: a bare Node
 * UDP SIP server that answers what the simulated cameras send as the box does at the SIP level
 * (REGISTER: a 401 with a nonce, then 200 to one with credentials, unchecked; MESSAGE: 200,
 * body parsed as SIP only), with no digest check, no MANSCDP, no queries, no devices behind it.
 * Prints its port on stdout; stops on SIGTERM.
 */
import { createSocket } from 'node:dgram';
import { parseMessage, serialize, type SipResponse } from '../../../protocols/gb28181/message.js';

const sock = createSocket('udp4');
sock.on('message', (raw, from) => {
  const r = parseMessage(raw, 65_536);
  if (!r.ok || r.message.kind !== 'request') return;
  const req = r.message;
  const challenge = req.method === 'REGISTER' && !req.headers.has('authorization');
  const headers = new Map<string, string[]>();
  for (const h of ['via', 'from', 'to', 'call-id', 'cseq']) headers.set(h, req.headers.get(h) ?? []);
  if (challenge) headers.set('www-authenticate', ['Digest realm="3402000000", nonce="bare0123456789", algorithm=MD5, qop="auth"']);
  if (req.method === 'REGISTER' && !challenge) headers.set('expires', [req.headers.get('expires')?.[0] ?? '3600']);
  const res: SipResponse = {
    kind: 'response',
    status: challenge ? 401 : 200,
    reason: challenge ? 'Unauthorized' : 'OK',
    headers,
    body: Buffer.alloc(0),
  };
  sock.send(serialize(res), from.port, from.address);
});
sock.bind(0, '127.0.0.1', () => process.stdout.write(`${sock.address().port}\n`));
process.on('SIGTERM', () => sock.close(() => process.exit(0)));
