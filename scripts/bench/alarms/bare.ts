/**
 * The alarms benchmark's same-run baseline, in its own process so its CPU is its own: a bare Node
 * HTTP server answering the units' requests as the box's protocol does (body read, JSON parsed,
 * a JSON answer, `Connection: close`) with nothing behind it: no checks, no crypto, no store.
 * Prints its port on stdout; stops on SIGTERM.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let ok = true;
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      ok = false;
    }
    const body = JSON.stringify(
      ok ? { code: 0, message: 'success', data: { time: String(Date.now()) } } : { code: 5, message: 'not JSON' },
    );
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  });
});
server.keepAliveTimeout = 1;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
