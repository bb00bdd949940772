// Port of libcloud/storage/base.py: _save_object's checks and callback, as one verified stream that
// every download of every driver goes through (RELIABILITY H12, M4), plus the options rule of
// every storage method (PORTING 10).
import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { checkOptionKeys } from "../common/base/options.js";
import { abortReason } from "../utils/clock.js";
import { DownloadIncompleteError, ObjectHashMismatchError, UploadError } from "./errors.js";
import { StreamMd5 } from "./stream-md5.js";
import { defaultUploadHasher } from "./worker-hasher.js";

/** Progress of an upload or a download, reported once per chunk (issue 12). */
export interface TransferProgress {
  /** Bytes sent or received so far. */
  loadedBytes: number;
  /** Bytes the transfer will move in all, when known. */
  totalBytes: number | undefined;
}

/** What a download checks its bytes against. */
export interface DownloadCheck {
  /** The object's name (for the errors). */
  objectName: string;
  /** Bytes the body must have exactly: the object's size, its Content-Length, or the range's length. */
  expectedBytes: number | undefined;
  /** Base64 MD5 the whole body must hash to (a whole-object `Content-MD5`); unset, no hash check. */
  contentMd5?: string | undefined;
  /** Called after each chunk, with the bytes so far and the total when known. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** The driver, for the errors. */
  driver?: unknown;
}

/**
 * Passes a download's chunks through, counting and hashing them: more bytes than expected fail at
 * once, fewer (or a hash that contradicts `contentMd5`) fail when the body ends, before the last
 * chunk's consumer can take the download as complete. `onProgress` is called after each chunk. The
 * MD5 of a body of 1 MiB or more is computed in the upload engine's hashing thread.
 */
export async function* verifiedDownload(body: AsyncIterable<Buffer>, check: DownloadCheck): AsyncGenerator<Buffer> {
  const { objectName, expectedBytes, contentMd5, onProgress, driver } = check;
  // A body of 1 MiB or more is hashed off the event loop (the upload engine's hashing thread).
  const wanted = contentMd5 !== undefined && contentMd5 !== "";
  const md5 = !wanted ? undefined : expectedBytes !== undefined && expectedBytes >= 1024 * 1024 ? new StreamMd5(defaultUploadHasher) : createHash("md5");
  const incomplete = (received: number, expected: number): DownloadIncompleteError =>
    new DownloadIncompleteError(`Download of ${JSON.stringify(objectName)} is incomplete: got ${received} of ${expected} bytes`, {
      objectName, receivedBytes: received, expectedBytes: expected, driver,
    });
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.length;
      if (expectedBytes !== undefined && received > expectedBytes) {
        throw new DownloadIncompleteError(`Download of ${JSON.stringify(objectName)} got more than its ${expectedBytes} bytes`, {
          objectName, receivedBytes: received, expectedBytes, driver,
        });
      }
      if (md5 instanceof StreamMd5) await md5.update(chunk);
      else md5?.update(chunk);
      onProgress?.({ loadedBytes: received, totalBytes: expectedBytes });
      yield chunk;
    }
    if (expectedBytes !== undefined && received !== expectedBytes) throw incomplete(received, expectedBytes);
    if (md5 !== undefined) {
      const got = md5 instanceof StreamMd5 ? await md5.digest() : md5.digest("base64");
      if (got !== contentMd5) {
        throw new ObjectHashMismatchError(`Download of ${JSON.stringify(objectName)} does not match its Content-MD5 (${contentMd5}, got ${got})`, {
          objectName, driver,
        });
      }
    }
  } finally {
    if (md5 instanceof StreamMd5) md5.close();
  }
}

/** Option names every storage method takes, by method. Drivers may add their own (`ex…`) ones. */
export const STORAGE_OPTION_NAMES = {
  list: ["prefix", "signal"],
  signal: ["signal"],
  uploadStream: ["extra", "headers", "onProgress", "signal"],
  upload: ["extra", "headers", "onProgress", "signal", "verifyHash"],
  download: ["overwriteExisting", "deleteOnFailure", "onProgress", "signal"],
  downloadStream: ["chunkSize", "onProgress", "signal"],
} as const satisfies Record<string, readonly string[]>;

const sets = new Map<string, ReadonlySet<string>>();

/**
 * Throws a TypeError naming the first key of `options` that the method does not take (PORTING 10):
 * a misspelt or unsupported option is never silently ignored.
 */
export function checkStorageOptions(
  options: object | undefined, kind: keyof typeof STORAGE_OPTION_NAMES, where: string, extra: readonly string[] = [],
): void {
  const id = `${kind}\0${extra.join(",")}`;
  let allowed = sets.get(id);
  if (allowed === undefined) {
    allowed = new Set<string>([...STORAGE_OPTION_NAMES[kind], ...extra]);
    sets.set(id, allowed);
  }
  checkOptionKeys(options, allowed, where);
}

/** Throws a TypeError naming the first key of `options` not in `allowed` (a driver's own option sets). */
export function checkOptionKeysOf(options: object | undefined, allowed: readonly string[], where: string): void {
  checkOptionKeys(options, new Set(allowed), where);
}

/** Bytes read from a file per chunk by `readFileChecked`. */
const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * A file's bytes for an upload, holding the file to its promise (RELIABILITY H5, M11): the size
 * is taken when it is opened (`size`), and the iteration fails with an UploadError, before its last
 * chunk is delivered, when the file turns out shorter or longer, or is replaced, changed or removed
 * while it was read. A driver that commits only after the source ended therefore never commits a
 * file that changed. Chunks share one buffer: consume (copy) each before asking for the next.
 */
export async function readFileChecked(filePath: string, objectName: string): Promise<{ size: number; chunks: AsyncGenerator<Buffer> }> {
  // The promise is taken now; the file is opened only when the first chunk is asked for, so a
  // source that is never read (a refused lease) holds no file handle.
  const before = await stat(filePath);
  if (!before.isFile()) throw new UploadError(`${JSON.stringify(filePath)} is not a file`, { objectName });
  const size = before.size;
  const broken = (why: string): UploadError =>
    new UploadError(`${JSON.stringify(filePath)} ${why} while it was read for ${JSON.stringify(objectName)}: nothing was committed`, { objectName });
  const vet = (now: { size: number; mtimeMs: number }): void => {
    if (now.size > size) throw broken(`grew past its ${size} bytes`);
    if (now.size < size) throw broken(`shrank to ${now.size} of its ${size} bytes`);
    if (now.mtimeMs !== before.mtimeMs) throw broken("changed");
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    const handle = await open(filePath, "r");
    try {
      const opened = await handle.stat();
      if (opened.ino !== before.ino || opened.dev !== before.dev) throw broken("was replaced");
      vet(opened);
      const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
      let total = 0;
      for (;;) {
        // Read one byte past the promised size, so growth is seen.
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - total + 1), null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > size) throw broken(`grew past its ${size} bytes`);
        if (total === size) {
          // The last chunk: vet the file before handing it over.
          const after = await stat(filePath).catch(() => null);
          if (after === null) throw broken("disappeared");
          if (after.ino !== before.ino || after.dev !== before.dev) throw broken("was replaced");
          vet(await handle.stat());
          const { bytesRead: extra } = await handle.read(Buffer.alloc(1), 0, 1, null);
          if (extra !== 0) throw broken(`grew past its ${size} bytes`);
        }
        yield buffer.subarray(0, bytesRead);
      }
      if (total < size) throw broken(`shrank to ${total} of its ${size} bytes`);
      if (size === 0 && (await stat(filePath).catch(() => null)) === null) throw broken("disappeared");
    } finally {
      await handle.close();
    }
  }
  return { size, chunks: chunks() };
}

/**
 * Waits for `promise`, or fails with the signal's reason as soon as it aborts (a source that
 * stalls must not hold an aborted upload). The promise is left to settle on its own.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {});
      reject(abortReason(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener("abort", onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener("abort", onAbort); reject(error); },
    );
  });
}
