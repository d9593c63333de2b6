/**
 * One upload's bytes on their way to disk: written to a temporary file as they arrive (never
 * held whole), hashed for the ETag on the way, counted against a cap. `write` answers false when
 * the disk is behind (the caller pauses the request until `drain`); `finish` flushes (fsync) and
 * closes; `abort` closes and removes.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, fsync, rmSync, type WriteStream } from 'node:fs';

export class TempWriter {
  readonly file: string;
  readonly #out: WriteStream;
  readonly #hash: Hash = createHash('md5');
  #error: Error | undefined;
  #fd: number | undefined;
  bytes = 0;

  constructor(file: string) {
    this.file = file;
    // autoClose off: the descriptor must outlive 'finish' for the fsync.
    this.#out = createWriteStream(file, { flags: 'wx', mode: 0o640, autoClose: false });
    this.#out.once('open', (fd: number) => {
      this.#fd = fd;
    });
    this.#out.on('error', (err) => {
      this.#error ??= err;
    });
  }

  get failed(): Error | undefined {
    return this.#error;
  }

  write(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    return this.#out.write(chunk);
  }

  onDrain(fn: () => void): void {
    this.#out.once('drain', fn);
  }

  /** Flush to disk and close; the MD5 of what was written. */
  async finish(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      if (this.#error) return reject(this.#error);
      this.#out.once('error', reject);
      this.#out.end(() => resolve());
    });
    const fd = this.#fd;
    if (typeof fd === 'number') await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    await this.#close();
    return this.#hash.digest('hex');
  }

  async abort(): Promise<void> {
    await this.#close();
    rmSync(this.file, { force: true });
  }

  #close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#out.closed) return resolve();
      this.#out.once('close', () => resolve());
      this.#out.destroy(); // closes the descriptor (autoClose only decides whether 'finish' does)
    });
  }
}
