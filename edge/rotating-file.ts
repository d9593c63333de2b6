/**
 * An append-only log file that rotates by size: `name.log` → `name.log.1` … `name.log.<keep>`,
 * oldest dropped. A box runs for years on a small disk; driver logs must not fill it.
 * Renaming is safe while the old stream drains: its descriptor follows the renamed file.
 */
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the bytes go: a write stream (drivers' output, high volume) or a descriptor written synchronously. */
interface Sink {
  write(buf: Buffer): void;
  end(done: () => void): void;
}

function streamSink(path: string): Sink {
  const s = createWriteStream(path, { flags: 'a' });
  s.on('error', () => undefined); // a full disk must not take the host down; lines are lost, not the box
  return { write: (b) => void s.write(b), end: (done) => void s.end(done) };
}

/**
 * Synchronous like pino's own file destination: the last lines before an exit are on disk. A
 * failed write (full disk) loses that line, never the process.
 */
function syncSink(path: string): Sink {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'a');
  } catch {
    fd = undefined;
  }
  return {
    write(b) {
      if (fd === undefined) return;
      try {
        writeSync(fd, b);
      } catch {
        // no room: the line is lost
      }
    },
    end(done) {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      done();
    },
  };
}

export class RotatingFile {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #sync: boolean;
  #stream: Sink;
  #size: number;

  constructor(path: string, options: { maxBytes: number; keep: number; sync?: boolean }) {
    this.#path = path;
    this.#maxBytes = options.maxBytes;
    this.#keep = Math.max(1, options.keep);
    this.#sync = options.sync ?? false;
    mkdirSync(dirname(path), { recursive: true });
    this.#size = existsSync(path) ? statSync(path).size : 0;
    this.#stream = this.#open();
  }

  #open(): Sink {
    return this.#sync ? syncSink(this.#path) : streamSink(this.#path);
  }

  write(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#size + buf.length < this.#maxBytes) {
      this.#stream.write(buf);
      this.#size += buf.length;
      return;
    }
    // Rotate at the last line end of this chunk, so every file holds whole lines.
    const cut = buf.lastIndexOf(10) + 1;
    if (cut === 0) {
      this.#stream.write(buf);
      this.#size += buf.length;
      return;
    }
    this.#stream.write(buf.subarray(0, cut));
    this.#rotate();
    if (cut < buf.length) {
      this.#stream.write(buf.subarray(cut));
      this.#size = buf.length - cut;
    }
  }

  #rotate(): void {
    this.#stream.end(() => undefined);
    try {
      rmSync(`${this.#path}.${this.#keep}`, { force: true });
      for (let i = this.#keep - 1; i >= 1; i--) {
        if (existsSync(`${this.#path}.${i}`)) renameSync(`${this.#path}.${i}`, `${this.#path}.${i + 1}`);
      }
      renameSync(this.#path, `${this.#path}.1`);
    } catch {
      // Rotation failing (a read-only or full disk) leaves the current file growing; writes go on.
    }
    this.#stream = this.#open();
    this.#size = 0;
  }

  end(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(() => resolve()));
  }
}
