/**
 * A minimal ustar writer and reader for backups: regular files only; a path over 100 bytes goes
 * in a PAX `path` record before its entry (GNU and BSD tar read it).
 * Enough for `tar xzf` to open a backup on a laptop, and strict when reading one back:
 * checksums verified, sizes bounded, anything unexpected refused.
 */
const BLOCK = 512;

export interface TarEntry {
  name: string;
  data: Buffer;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A PAX record `"<len> path=<name>\n"`, whose length counts its own digits. */
function paxPath(name: string): Buffer {
  const body = ` path=${name}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function header(name: string, size: number, mtime: number, type = '0'): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(Buffer.byteLength(name) <= 100 ? name : name.replace(/[^\x20-\x7e]/g, '_').slice(-100), 0, 100, 'utf8');
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function writeTar(entries: TarEntry[], mtime = Date.now()): Buffer {
  const parts: Buffer[] = [];
  const put = (name: string, data: Buffer, type?: string) => {
    parts.push(header(name, data.length, mtime, type), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  };
  for (const e of entries) {
    if (Buffer.byteLength(e.name) > 100) put('PaxHeader', paxPath(e.name), 'x'); // a long path (POSIX.1-2001)
    put(e.name, e.data);
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/** Read regular files; throws RangeError with a reason on anything malformed. */
export function readTar(buf: Buffer, limits = { maxEntries: 100_000 }): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return out;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const stored = parseInt(h.subarray(148, 156).toString('ascii').replace(/\0.*$/, '').trim(), 8);
    if (stored !== sum) throw new RangeError(`tar header checksum wrong at offset ${off}`);
    const base = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const name = longName ?? (prefix ? `${prefix}/${base}` : base);
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    if (!Number.isSafeInteger(size) || size < 0 || off + BLOCK + size > buf.length) throw new RangeError(`tar entry ${name} truncated`);
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    if (type === 'x') longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
    else longName = undefined;
    if (type === '0' || type === '\0') out.push({ name, data: Buffer.from(data) });
    if (out.length > limits.maxEntries) throw new RangeError('too many entries');
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new RangeError('tar end marker missing');
}
