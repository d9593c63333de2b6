/**
 * A small bounded multipart/form-data codec for `/recognize` and `/faceAC/passEvent`
 * (seed 001 L35428, L35791). The body is already size-limited by the server, so parsing works on
 * one Buffer; part count and header size are bounded too. Anything malformed throws.
 */
export interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, FilePart>;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

const MAX_PARTS = 16;
const MAX_PART_HEADER = 1024;
const MAX_FIELD = 4096;

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function dispositionParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(header) ?? new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  return m?.[1];
}

export function parseMultipart(body: Buffer, boundary: string): MultipartForm {
  const delimiter = Buffer.from(`--${boundary}`);
  const form: MultipartForm = { fields: Object.create(null), files: Object.create(null) };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('boundary not found');
  let parts = 0;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return form; // closing delimiter
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') throw new MultipartError('malformed delimiter line');
    pos += 2;
    if (++parts > MAX_PARTS) throw new MultipartError(`more than ${MAX_PARTS} parts`);
    const headerEnd = body.indexOf('\r\n\r\n', pos, 'latin1');
    if (headerEnd < 0 || headerEnd - pos > MAX_PART_HEADER) throw new MultipartError('part headers missing or too long');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw new MultipartError('unterminated part');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    const name = disposition ? dispositionParam(disposition, 'name') : undefined;
    if (!disposition || !name) throw new MultipartError('part without a form-data name');
    const filename = dispositionParam(disposition, 'filename');
    if (filename !== undefined) {
      const ct =
        headers
          .find((h) => /^content-type:/i.test(h))
          ?.split(':')[1]
          ?.trim() ?? 'application/octet-stream';
      form.files[name] = { filename, contentType: ct, data: Buffer.from(data) };
    } else {
      if (data.length > MAX_FIELD) throw new MultipartError(`field ${name} longer than ${MAX_FIELD} bytes`);
      form.fields[name] = data.toString('utf8');
    }
    pos = next + 2;
  }
}

/** Build a form body (used by the client side: the simulator and tests). */
export function buildMultipart(
  fields: Record<string, string>,
  files: Record<string, FilePart> = {},
): { body: Buffer; contentType: string } {
  const boundary = `----door${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, f] of Object.entries(files)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
