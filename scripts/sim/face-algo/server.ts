/**
 * A simulated face algorithm service with the seed's HTTP interface (seed 001 L38937-39067).
 * Vectors are deterministic: the identity part comes from the image's mean colour quantised
 * to 8 levels per channel (so a re-encoded JPEG of the same "person" maps to the same
 * identity) and a small per-file part from the bytes' hash (so scores are near, not exactly, 1).
 * Tests make "people" as solid-colour images and can predict every match.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface FaceAlgoSimOptions {
  port?: number;
  dims?: number;
  /** Added to every /match answer (to test time limits). */
  delayMs?: number;
}

export interface FaceAlgoSim {
  url: string;
  server: Server;
  requests: number;
  close(): Promise<void>;
}

/** xorshift32 stream from a seed: the same seed always gives the same numbers. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000 - 0.5;
  };
}

export function identityOfColor(r: number, g: number, b: number): number {
  const q = (v: number): number => Math.min(7, Math.floor(v / 32));
  return (q(r) << 6) | (q(g) << 3) | q(b);
}

/** The vector the simulator gives an image of this identity and these bytes. */
export function simVector(identity: number, bytes: Buffer, dims: number): number[] {
  const base = prng(identity * 2654435761 + 1);
  const noise = prng(createHash('md5').update(bytes).digest().readUInt32LE(0));
  const v: number[] = [];
  for (let i = 0; i < dims; i++) v.push(base() + 0.05 * noise());
  return v;
}

function reply(res: import('node:http').ServerResponse, code: number, message: string, data: number[] = []): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, data }));
}

export async function startFaceAlgoSim(options: FaceAlgoSimOptions = {}): Promise<FaceAlgoSim> {
  const dims = options.dims ?? 512;
  const sim: FaceAlgoSim = { url: '', server: undefined as unknown as Server, requests: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    sim.requests++;
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('Face Recognition Service');
      return;
    }
    if (req.method !== 'POST' || (req.url !== '/match' && req.url !== '/match_with_face_detect')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size <= 2 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        const body = Buffer.concat(chunks);
        let photo: Buffer;
        try {
          const form = await new Request('http://sim/', {
            method: 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? '' },
            body,
          }).formData();
          const file = form.get('photo');
          if (!file || typeof file === 'string') return reply(res, 400, 'photo missing');
          photo = Buffer.from(await file.arrayBuffer());
        } catch {
          return reply(res, 400, 'invalid multipart body');
        }
        if (photo.byteLength > 1024 * 1024) return reply(res, 400, 'photo larger than 1 MB');
        let stats: sharp.Stats;
        try {
          stats = await sharp(photo).stats();
        } catch {
          return reply(res, 400, 'invalid input file');
        }
        const [r, g, b] = stats.channels.map((c) => c.mean) as [number, number, number];
        // A pure white picture has "no face": lets tests reach the 500 branch.
        if (req.url === '/match_with_face_detect' && r > 250 && g > 250 && b > 250) return reply(res, 500, 'no face detected');
        reply(res, 200, 'success', simVector(identityOfColor(r, g ?? r, b ?? r), photo, dims));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sim.url = `http://127.0.0.1:${port}`;
  sim.server = server;
  sim.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sim;
}
