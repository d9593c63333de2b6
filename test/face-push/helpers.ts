/** Shared by the face-terminal tests (push and OpenAPI): free loopback ports and a served face picture. */
import { createServer } from 'node:net';
import sharp from 'sharp';
import { fileServer } from '../access/helpers.js';

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A 300×300 PNG of one colour served at `<url><path>` (the cloud's face URLs stand-in). */
export async function pictureServer(path: string, rgb: [number, number, number]): Promise<Awaited<ReturnType<typeof fileServer>>> {
  const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
  return fileServer(new Map([[path, png]]));
}
