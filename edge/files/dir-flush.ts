/**
 * Flushing a folder's entries to disk (the rename of an upload into it) for many uploads at once.
 * An upload is answered only once its rename is on disk; one folder fsync covers every rename
 * made before it started, so callers that arrive while one runs share the next one instead of
 * each queueing their own on the file-system thread pool (50 clients uploading into one folder
 * cost one or two fsyncs in flight, not fifty).
 */
import { open } from 'node:fs/promises';

/** Flush a folder's entries; off the event loop. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    await h.sync().finally(() => h.close());
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}

interface FolderState {
  running: boolean;
  /** Callers whose rename came after the running flush began: they wait for the next one. */
  waiting: (() => void)[];
}

export class FolderFlusher {
  readonly #folders = new Map<string, FolderState>();

  /** Resolves once every entry change made in `dir` before the call is on disk. */
  flush(dir: string): Promise<void> {
    return new Promise((resolve) => {
      let state = this.#folders.get(dir);
      if (!state) {
        state = { running: false, waiting: [] };
        this.#folders.set(dir, state);
      }
      state.waiting.push(resolve);
      if (!state.running) this.#run(dir, state);
    });
  }

  #run(dir: string, state: FolderState): void {
    const batch = state.waiting.splice(0);
    state.running = true;
    void fsyncDir(dir).then(() => {
      for (const done of batch) done();
      state.running = false;
      if (state.waiting.length > 0) this.#run(dir, state);
      else this.#folders.delete(dir);
    });
  }
}
