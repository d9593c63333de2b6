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
  // Opened now, not when the stream gets round to it: a burst may rotate again at once, and the
  // rename must find the file (the descriptor follows it).
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch {
    return { write: () => undefined, end: (done) => done() }; // no room or no folder: lines are lost, not the box
  }
  const s = createWriteStream(path, { fd });
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
    fd = openSync(path, 'a', 0o600);
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
  /** Rotated-out files still writing their last bytes. */
  readonly #closing = new Set<Promise<void>>();

  constructor(path: string, options: { maxBytes: number; keep: number; sync?: boolean }) {
    this.#path = path;
    this.#maxBytes = options.maxBytes;
    this.#keep = Math.max(1, options.keep);
    this.#sync = options.sync ?? false;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#size = existsSync(path) ? statSync(path).size : 0;
    this.#stream = this.#open();
  }

  #open(): Sink {
    return this.#sync ? syncSink(this.#path) : streamSink(this.#path);
  }

  write(chunk: Buffer | string): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (buf.length > 0) {
      const room = this.#maxBytes - this.#size;
      // A file ends at the first line end at or past the limit, so it holds whole lines and is
      // at most one line over; a large chunk (pipes deliver up to 64 KiB and more under load)
      // may fill several files.
      const end = buf.length < room ? -1 : buf.indexOf(10, Math.max(0, room - 1));
      if (end === -1) {
        this.#stream.write(buf);
        this.#size += buf.length;
        return;
      }
      this.#stream.write(buf.subarray(0, end + 1));
      this.#rotate();
      buf = buf.subarray(end + 1);
    }
  }

  #rotate(): void {
    const closing = new Promise<void>((resolve) => this.#stream.end(resolve));
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
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

  /** Close the file; resolves once every rotated-out file has its last bytes too. */
  async end(): Promise<void> {
    await new Promise<void>((resolve) => this.#stream.end(resolve));
    await Promise.all(this.#closing);
  }
}
