// Port of libcloud/storage/base.py: _hash_buffered_stream / _get_hash_function, as the hashing
// step of the upload engine (upload-engine.ts): each part's MD5 (and SHA-256) and the whole
// object's MD5, computed once per byte.
import { createHash, type Hash } from "node:crypto";

/** A part's hashes, and its buffer. */
export interface PartHashes {
  /** The part's whole buffer (its first `length` bytes are the part). */
  buffer: Buffer;
  /** Base64 MD5 of the part. */
  md5: string;
  /** Hex SHA-256 of the part, when asked for. */
  sha256: string | undefined;
}

/** The hashing of one upload: parts are given in order, so the whole object's MD5 follows them. */
export interface HashJob {
  /**
   * Hashes the first `length` bytes of `buffer` as the next part. The buffer must not be changed
   * until the promise settles (another thread may be reading it).
   */
  part(buffer: Buffer, length: number): Promise<PartHashes>;
  /** The whole object's base64 MD5, once every part was given. */
  whole(): Promise<string>;
  /** Ends the job (idempotent). */
  close(): void;
}

/** Options of {@link PartHasher.start}. */
export interface HashJobOptions {
  /** Also compute each part's SHA-256. */
  sha256: boolean;
  /** Compute each part's MD5 (false: only the whole stream's, `md5` is then ""). @defaultValue true */
  partDigests?: boolean | undefined;
}

/** Where an upload's (or a download's) hashes are computed. */
export interface PartHasher {
  /**
   * Whether the engine should make its part buffers SharedArrayBuffers, so another thread can
   * read them in place. Plain buffers otherwise (the collector reclaims those sooner). @defaultValue false
   */
  readonly sharedMemory?: boolean | undefined;
  /** Starts the hashing of one upload or download. */
  start(options: HashJobOptions): HashJob;
}

/** Hashes on the calling thread, as each part is handed over. */
export const inlineHasher: PartHasher = {
  start({ sha256, partDigests = true }): HashJob {
    const whole: Hash = createHash("md5");
    return {
      part(buffer: Buffer, length: number): Promise<PartHashes> {
        const bytes = buffer.subarray(0, length);
        whole.update(bytes);
        return Promise.resolve({
          buffer,
          md5: partDigests ? createHash("md5").update(bytes).digest("base64") : "",
          sha256: sha256 ? createHash("sha256").update(bytes).digest("hex") : undefined,
        });
      },
      whole: () => Promise.resolve(whole.copy().digest("base64")),
      close: () => {},
    };
  },
};
