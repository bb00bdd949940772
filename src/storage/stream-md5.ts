// Port of libcloud/storage/base.py: _hash_buffered_stream for downloads: the MD5 of a body read
// chunk by chunk, computed by a PartHasher (by default in the upload engine's worker thread).
import type { HashJob, PartHasher } from "./part-hasher.js";

/** Bytes handed to the hasher at a time. */
const STAGE_BYTES = 1024 * 1024;

/**
 * The MD5 of a stream: chunks are copied into two shared buffers of 1 MiB used in turn, and each
 * full one is handed to the hasher, so a worker thread hashes one while the other fills. The
 * copy is the only per-byte work left on the calling thread.
 */
export class StreamMd5 {
  readonly #job: HashJob;
  readonly #stages: Buffer[] = [];
  readonly #pending: Array<Promise<unknown> | undefined> = [undefined, undefined];
  #turn = 0;
  #filled = 0;
  #closed = false;

  constructor(hasher: PartHasher) {
    this.#job = hasher.start({ sha256: false, partDigests: false });
  }

  #stage(): Buffer {
    return (this.#stages[this.#turn] ??= Buffer.from(new SharedArrayBuffer(STAGE_BYTES)));
  }

  /** Hands the current stage to the hasher and waits until the other one is free. */
  async #flush(): Promise<void> {
    const hashed = this.#job.part(this.#stage(), this.#filled);
    hashed.catch(() => {}); // awaited before the stage is reused, or in digest()
    this.#pending[this.#turn] = hashed;
    this.#turn = 1 - this.#turn;
    this.#filled = 0;
    await this.#pending[this.#turn];
    this.#pending[this.#turn] = undefined;
  }

  /** Adds a chunk (copied: the caller may reuse it at once). */
  async update(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const stage = this.#stage();
      const n = Math.min(STAGE_BYTES - this.#filled, chunk.length - offset);
      stage.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === STAGE_BYTES) await this.#flush();
    }
  }

  /** The base64 MD5 of every chunk added. */
  async digest(): Promise<string> {
    if (this.#filled > 0 || (this.#pending[0] === undefined && this.#pending[1] === undefined)) await this.#flush();
    await Promise.all(this.#pending.filter((p): p is Promise<unknown> => p !== undefined));
    return this.#job.whole();
  }

  /** Ends the hashing (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#job.close();
  }
}
