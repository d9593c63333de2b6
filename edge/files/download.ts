/**
 * `GET /oss/<filePath>` (and HEAD): the stored file, streamed from disk [seed 001 L39828-39844],
 * with Content-Type (./content-type.ts), Content-Length, ETag (the content's MD5), Last-Modified,
 * `Accept-Ranges: bytes`, one Range (206, or 416 with `Content-Range: bytes *\/size`), If-Range,
 * and If-None-Match (304). The file is read through a descriptor opened without following links,
 * so a file replaced during the download is served whole as it was when the request came.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { fileError } from './codes.js';
import { filePathOfUrl } from './paths.js';
import { etagMatches, parseRange } from './range.js';
import type { FileStore } from './store.js';

const READ_CHUNK = 128 * 1024;

export async function serveFile(req: IncomingMessage, res: ServerResponse, store: FileStore, pathname: string): Promise<void> {
  const filePath = filePathOfUrl(pathname);
  const file = filePath === undefined ? undefined : await store.read(filePath);
  if (!file) throw fileError('notFound', 'file not found');
  const { fd, size, row } = file;
  const release = (): void => close(fd, () => {});
  const headers: Record<string, string | number> = {
    'Content-Type': row.content_type,
    ETag: row.etag,
    'Last-Modified': new Date(row.created_ms).toUTCString(),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (etagMatches(req.headers['if-none-match'], row.etag)) {
    release();
    res.writeHead(304, headers).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === row.etag ? parseRange(req.headers.range, size) : undefined;
  if (range === 'unsatisfiable') {
    release();
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': length,
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) {
    release();
    res.end();
    return;
  }
  // A picture in one or two reads: 128 KiB per read halves the thread-pool trips of the default
  // 64 KiB, and 50 downloads at once hold at most 6 MiB in flight.
  const stream = createReadStream('', { fd, start, end, autoClose: true, highWaterMark: READ_CHUNK });
  pipeline(stream, res, () => {
    // A client that went away mid-download is not an error of the box; the handle closes with the stream.
  });
}
