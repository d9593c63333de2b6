/** The streaming form-data parser: split anywhere, the same parts; hostile bodies end in MultipartError, bounded. */
import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, MultipartParser, type PartHeaders } from '../../protocols/multipart/parser.js';
import { BOUNDARY, form, pattern } from './helpers.js';

interface Part extends PartHeaders {
  body: Buffer;
}

function parse(body: Buffer, chunkSizes: number[] | number, boundary = BOUNDARY): { parts: Part[]; maxSlice: number } {
  const parts: Part[] = [];
  let cur: Buffer[] = [];
  let head: PartHeaders | undefined;
  let maxSlice = 0;
  const p = new MultipartParser(boundary, {
    onPart(h) {
      head = h;
      cur = [];
    },
    onData(d) {
      maxSlice = Math.max(maxSlice, d.length);
      cur.push(Buffer.from(d));
    },
    onPartEnd() {
      parts.push({ ...(head as PartHeaders), body: Buffer.concat(cur) });
    },
  });
  const sizes = typeof chunkSizes === 'number' ? [chunkSizes] : chunkSizes;
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const n = sizes[i % sizes.length] ?? 1;
    p.write(body.subarray(at, at + n));
    at += n;
  }
  p.end();
  return { parts, maxSlice };
}

describe('multipart parser', () => {
  const file = pattern(70_000, 3);
  // A body whose file holds most of a delimiter, to catch a carry that loses or invents bytes.
  const tricky = Buffer.concat([pattern(100), Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}`), pattern(100, 9)]);
  const body = form({ filePath: 'a/b.jpg', expire: '60' }, { bytes: file });

  it('gives the same parts whatever the chunk boundaries', () => {
    for (const sizes of [[body.length], [1], [2, 3, 5], [7, 64, 1], [4096], [65_536]]) {
      const { parts } = parse(body, sizes);
      expect(parts.map((p) => p.name)).toEqual(['filePath', 'expire', 'file']);
      expect(parts[0]?.body.toString()).toBe('a/b.jpg');
      expect(parts[1]?.body.toString()).toBe('60');
      expect(parts[2]).toMatchObject({ filename: 'x.jpg', contentType: 'image/jpeg' });
      expect(parts[2]?.body.equals(file), String(sizes)).toBe(true);
    }
    for (const sizes of [[1], [3], [1000]]) expect(parse(form({}, { bytes: tricky }), sizes).parts[0]?.body.equals(tricky)).toBe(true);
  });

  it('finds a delimiter cut anywhere between two chunks, whatever was carried over', () => {
    const end = body.indexOf(Buffer.from(`\r\n--${BOUNDARY}--`));
    for (let cut = end - 80; cut <= end + BOUNDARY.length + 6; cut++)
      for (const first of [cut - 60, cut - 1]) {
        const { parts } = parse(body, [first, cut - first, body.length]);
        expect(parts[2]?.body.equals(file), `cut at ${cut} after ${first}`).toBe(true);
      }
  });

  it('passes a file through in slices no larger than the chunks (nothing is gathered)', () => {
    const big = form({}, { bytes: pattern(1024 * 1024) });
    expect(parse(big, 16 * 1024).maxSlice).toBeLessThanOrEqual(16 * 1024);
  });

  it('reads quoted, escaped and RFC 5987 filenames, empty parts, and ignores preamble and epilogue', () => {
    const b = Buffer.from(
      `preamble\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="f"; filename="a \\"q\\".jpg"\r\n\r\n\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name=g; filename*=UTF-8''%E6%B5%99A.jpg\r\n\r\nz\r\n--${BOUNDARY}--\r\nepilogue`,
    );
    const { parts } = parse(b, 5);
    expect(parts).toEqual([
      { name: 'f', filename: 'a "q".jpg', body: Buffer.alloc(0) },
      { name: 'g', filename: '浙A.jpg', body: Buffer.from('z') },
    ]);
  });

  it('finds the boundary in a Content-Type, and refuses missing or invalid ones', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    for (const bad of [
      undefined,
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'text/plain; boundary=x',
      `multipart/form-data; boundary=${'x'.repeat(71)}`,
      'multipart/form-data; boundary="a\u0000b"',
    ])
      expect(boundaryOf(bad), String(bad)).toBeUndefined();
  });

  it('refuses hostile bodies with MultipartError', () => {
    const cases: [string, Buffer][] = [
      ['unterminated part', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc`)],
      ['no closing boundary', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc\r\n--${BOUNDARY}\r\n`)],
      ['no boundary at all', Buffer.alloc(5000, 0x61)],
      ['huge header block', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\nX: ${'y'.repeat(5000)}\r\n\r\n`)],
      ['header block without end', Buffer.from(`--${BOUNDARY}\r\nX: ${'y'.repeat(100_000)}`)],
      ['no Content-Disposition', Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`)],
      ['not form-data', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${BOUNDARY}--`)],
      ['no name', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a"\r\n\r\nx\r\n--${BOUNDARY}--`)],
      ['garbage header line', Buffer.from(`--${BOUNDARY}\r\nnonsense\r\n\r\nx\r\n--${BOUNDARY}--`)],
      ['garbage after boundary', Buffer.from(`--${BOUNDARY}XY\r\n`)],
      [
        'too many parts',
        Buffer.from(`${`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n`.repeat(20)}--${BOUNDARY}--`),
      ],
    ];
    for (const [what, b] of cases) {
      for (const size of [1, 7, b.length]) expect(() => parse(b, size), `${what} / ${size}`).toThrow(MultipartError);
    }
  });
});
