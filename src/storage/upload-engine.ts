// Port of libcloud/storage/base.py: _upload_object / _stream_data and the multipart loops of
// libcloud/storage/drivers/s3.py (_upload_multipart_chunks) and azure_blobs.py (_upload_in_chunks),
// as ONE transfer engine every storage driver's upload goes through.
import { isRetryableByDefault } from "../utils/retry.js";
import { abortReason } from "../utils/clock.js";
import { UploadError, UploadPartError } from "./errors.js";
import { raceAbort, type TransferProgress } from "./transfer.js";
import type { PartHasher, PartHashes } from "./part-hasher.js";
import { defaultUploadHasher } from "./worker-hasher.js";

/** One part of an upload, read into a reused buffer, with its hashes (computed once, before it is sent). */
export interface UploadPart {
  /** 1 for the first part. */
  readonly number: number;
  /** The part's bytes. Valid until the part's send settles: the buffer is reused after that. */
  readonly data: Buffer;
  /** Base64 MD5 of `data` (Content-MD5). */
  readonly md5: string;
  /** Hex SHA-256 of `data` (SigV4's payload hash), when the engine was asked for it. */
  readonly sha256: string | undefined;
}

/** What the whole object turned out to be, once the source ended. */
export interface UploadTotals {
  /** Bytes read and sent. */
  readonly bytes: number;
  /** Base64 MD5 of the whole object. */
  readonly md5: string;
  /** Parts sent (0 when the object went in one request). */
  readonly parts: number;
}

/**
 * A driver's side of an upload: the requests only it knows how to make. The engine calls either
 * `single` (the whole object fits in one part) or `begin`, `sendPart` for each part, then
 * `complete`; when anything fails after `begin`, `cleanUp` (S3: AbortMultipartUpload).
 */
export interface UploadTarget<R> {
  /** Sends an object of at most one part in one request (Put Object, Put Blob). */
  single(part: UploadPart, totals: UploadTotals, signal: AbortSignal): Promise<R>;
  /** Starts a multi-part upload (CreateMultipartUpload); called once, before the first sendPart. */
  begin?(signal: AbortSignal): Promise<void>;
  /**
   * Sends one part (UploadPart, Put Block). Send the bytes as `data: () => part.data` with retries on:
   * a part that fails is retried from its buffer. Parts may be sent concurrently and complete in any order.
   */
  sendPart(part: UploadPart, signal: AbortSignal): Promise<void>;
  /** Commits the parts (CompleteMultipartUpload, Put Block List), after every part was stored and the source ended cleanly. */
  complete(totals: UploadTotals, signal: AbortSignal): Promise<R>;
  /**
   * Called once when an upload that began fails or is aborted, after every part in flight has
   * settled (so no part lands after it). Runs whatever the caller's signal says; its own failure is
   * swallowed (the upload's error is what the caller needs).
   */
  cleanUp?(error: unknown): Promise<void>;
}

/** Options of {@link runUpload}. */
export interface UploadEngineOptions {
  /** The object's name (for the errors). */
  objectName: string;
  /** Part size, bytes: objects up to it go in one request. */
  partSize: number;
  /** Parts sent at once; memory is `concurrency + 2` parts. */
  concurrency: number;
  /** Also compute each part's SHA-256 (S3's payload hash). @defaultValue false */
  sha256?: boolean | undefined;
  /** Most parts an upload may have (S3: 10,000); more is an UploadError before the part is sent. */
  maxParts?: number | undefined;
  /** Bytes the source promised (a file's size): any other count fails before the commit. */
  totalBytes?: number | undefined;
  /** Called after each part (or the single request) is stored. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Cancels the upload: every wait (the source, the hashing, the parts in flight, the retries) ends at once. */
  signal?: AbortSignal | undefined;
  /** Where hashes are computed. @defaultValue {@link defaultUploadHasher} (a worker thread for parts of 1 MiB and more) */
  hasher?: PartHasher | undefined;
  /** The driver, for the errors. */
  driver?: unknown;
}

/** An iterable's iterator, sync or async, as an async iterator (so an abort can stop it with return()). */
function sourceIterator(iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (iterable !== null && typeof iterable === "object" && Symbol.asyncIterator in iterable) return iterable[Symbol.asyncIterator]();
  if (iterable === null || typeof (iterable as Partial<Iterable<Uint8Array>>)[Symbol.iterator] !== "function") {
    throw new TypeError("uploadObjectViaStream: the source must be an iterable or async iterable of Buffers");
  }
  const it = (iterable)[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

/**
 * Tells a source that will not be read to stop (a generator's `finally` runs, a file is closed);
 * for a driver that gives up before the upload starts (a refused lease).
 */
export async function stopSource(iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  try {
    await sourceIterator(iterable).return?.();
  } catch {
    // Nothing to stop, or a source that fails to stop: the caller's error is what matters.
  }
}

/**
 * Fills buffers from a source of pieces of any size. A piece larger than what a buffer has left is
 * kept for the next buffer; `stop()` tells the source to stop without waiting for it (a stalled
 * source may never answer).
 */
class PartReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #rest: Uint8Array | undefined;
  #ended = false;
  #stopped = false;

  constructor(source: AsyncIterator<Uint8Array>) {
    this.#source = source;
  }

  /**
   * Fills `buffer` from the start; resolves with the bytes filled (fewer than its length only at the
   * end). Once `signal` aborts, the source is not asked for another piece.
   */
  async fill(buffer: Buffer, signal: AbortSignal): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      let piece = this.#rest;
      this.#rest = undefined;
      if (piece === undefined) {
        if (this.#ended || this.#stopped || signal.aborted) break;
        const next = await this.#source.next();
        if (next.done === true) {
          this.#ended = true;
          break;
        }
        piece = next.value;
        if (!(piece instanceof Uint8Array)) {
          throw new TypeError(`uploadObjectViaStream: the iterable must yield Buffers or Uint8Arrays, got ${piece === null ? "null" : typeof piece}`);
        }
      }
      const n = Math.min(buffer.length - filled, piece.length);
      buffer.set(n === piece.length ? piece : piece.subarray(0, n), filled);
      filled += n;
      if (n < piece.length) this.#rest = piece.subarray(n);
    }
    return filled;
  }

  /** Whether the source ended (nothing is left to read). */
  get ended(): boolean {
    return this.#ended && this.#rest === undefined;
  }

  stop(): void {
    if (this.#stopped || this.#ended) return;
    this.#stopped = true;
    this.#source.return?.().catch(() => {});
  }
}

/**
 * A part's failure as the caller sees it: a transient failure (5xx, 429, a dropped connection) the
 * connection retried until its attempts or its time ran out is an {@link UploadPartError} naming the
 * part; anything retrying cannot fix (a refused signature, a bad digest, an abort) passes unchanged,
 * with its own type.
 */
function partFailure(error: unknown, part: number, objectName: string, driver: unknown): unknown {
  if (error instanceof UploadPartError) return error;
  const attempts = typeof error === "object" && error !== null && typeof (error as { attempts?: unknown }).attempts === "number"
    ? (error as { attempts: number }).attempts : 1;
  if (!isRetryableByDefault(error, { idempotent: true }) && attempts < 2) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new UploadPartError(`Part ${part} of ${JSON.stringify(objectName)} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${why}`, {
    objectName, partNumber: part, attempts, cause: error, driver,
  });
}

/** What {@link runUpload} resolves to. */
export interface UploadOutcome<R> {
  /** What the target's `single` or `complete` returned. */
  result: R;
  /** What was read and sent. */
  totals: UploadTotals;
}

/**
 * Uploads a source through a driver's {@link UploadTarget} in constant memory: the source is read
 * into `concurrency + 2` reused part buffers, each part's MD5 (and SHA-256 when asked) and the whole
 * object's MD5 are computed once, by `hasher`, before the part is sent; up to `concurrency` parts
 * are on the wire while the next is read and hashed. A part that fails is retried from its buffer
 * by the connection (the part's `data` is the buffer itself); when that gives up, the upload fails
 * with an {@link UploadPartError}. Any failure or abort cancels the parts still in flight, stops
 * the source, and (after the parts settled) calls `cleanUp`; nothing is committed unless the source
 * ended cleanly, every byte it promised was read and every part was stored (RELIABILITY H5).
 */
export async function runUpload<R>(
  iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, target: UploadTarget<R>, options: UploadEngineOptions,
): Promise<UploadOutcome<R>> {
  const { objectName, totalBytes, onProgress, driver } = options;
  const partSize = Math.max(1, Math.floor(options.partSize));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const maxParts = options.maxParts ?? Infinity;
  const reader = new PartReader(sourceIterator(iterable));
  // One controller for every request of the upload: the caller's abort and the upload's own
  // failure both cancel what is in flight.
  const controller = new AbortController();
  const signal = controller.signal;
  const onCallerAbort = (): void => controller.abort(abortReason(options.signal!));
  if (options.signal?.aborted === true) controller.abort(abortReason(options.signal));
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const hasher = options.hasher ?? defaultUploadHasher;
  const job = hasher.start({ sha256: options.sha256 === true });
  const hashPart = (buffer: Buffer, length: number): Promise<PartHashes> => {
    const hashed = job.part(buffer, length);
    hashed.catch(() => {}); // awaited (raced) later, or dropped when the upload fails first
    return hashed;
  };

  // Buffers come back when their part is stored; at most `concurrency` are in flight, one is
  // hashed and one filled, so no more than `concurrency + 2` are ever made.
  const free: Buffer[] = [];
  // Shared memory when the hasher is another thread, so it reads a part where it lies (no copy, no transfer).
  const takeBuffer = (): Buffer => free.pop() ?? (hasher.sharedMemory === true ? Buffer.from(new SharedArrayBuffer(partSize)) : Buffer.allocUnsafeSlow(partSize));
  const short = (bytes: number): UploadError =>
    new UploadError(`The source of ${JSON.stringify(objectName)} gave ${bytes} bytes, ${totalBytes} were promised: nothing was committed`, { objectName, driver });

  /** Reads the next part; undefined at the source's end (an empty first part is still a part). */
  const readPart = async (first: boolean): Promise<{ buffer: Buffer; length: number } | undefined> => {
    if (reader.ended) return undefined;
    const buffer = takeBuffer();
    const length = await raceAbort(reader.fill(buffer, signal), signal);
    if (length === 0 && !first) {
      free.push(buffer);
      return undefined;
    }
    return { buffer, length };
  };

  let bytes = 0;
  let sent = 0;
  let began = false;
  const inFlight = new Set<Promise<void>>();
  try {
    const firstRead = await readPart(true);
    const firstHashed = hashPart(firstRead!.buffer, firstRead!.length);
    bytes += firstRead!.length;
    let nextRead = firstRead!.length === partSize ? await readPart(false) : undefined;
    if (nextRead === undefined) {
      // One request: the whole object is in hand, so its size is checked before anything is sent.
      const hashes = await raceAbort(firstHashed, signal);
      const md5 = await raceAbort(job.whole(), signal);
      if (totalBytes !== undefined && bytes !== totalBytes) throw short(bytes);
      const part: UploadPart = { number: 1, data: hashes.buffer.subarray(0, firstRead!.length), md5: hashes.md5, sha256: hashes.sha256 };
      const totals: UploadTotals = { bytes, md5, parts: 0 };
      const result = await target.single(part, totals, signal);
      onProgress?.({ loadedBytes: bytes, totalBytes: totalBytes ?? bytes });
      return { result, totals };
    }

    began = true;
    await target.begin?.(signal);
    let failure: { error: unknown } | undefined;
    const send = (part: UploadPart, buffer: Buffer): void => {
      const put = (async () => {
        try {
          await target.sendPart(part, signal);
        } catch (error) {
          throw partFailure(error, part.number, objectName, driver);
        }
        sent += part.data.length;
        free.push(buffer);
        onProgress?.({ loadedBytes: sent, totalBytes });
      })();
      const tracked = put.then(
        () => { inFlight.delete(tracked); },
        (error: unknown) => {
          inFlight.delete(tracked);
          if (failure === undefined) {
            failure = { error };
            controller.abort(error); // the other parts stop at once
          }
        },
      );
      inFlight.add(tracked);
    };
    /** Waits until fewer than `limit` parts are in flight (or a part failed). */
    const slot = async (limit: number): Promise<void> => {
      while (inFlight.size >= limit && failure === undefined) await raceAbort(Promise.race(inFlight), signal);
      if (failure !== undefined) throw failure.error;
    };

    let number = 1;
    let current: { hashed: Promise<PartHashes>; length: number } = { hashed: firstHashed, length: firstRead!.length };
    for (;;) {
      if (number > maxParts) {
        throw new UploadError(`An upload of ${JSON.stringify(objectName)} has at most ${maxParts} parts: raise the part size`, { objectName, driver });
      }
      // The next part is hashed while this one waits for a slot and goes on the wire.
      const upcoming = nextRead === undefined ? undefined : { hashed: hashPart(nextRead.buffer, nextRead.length), length: nextRead.length };
      if (upcoming !== undefined) bytes += upcoming.length;
      const hashes = await raceAbort(current.hashed, signal);
      await slot(concurrency);
      send({ number, data: hashes.buffer.subarray(0, current.length), md5: hashes.md5, sha256: hashes.sha256 }, hashes.buffer);
      if (upcoming === undefined) break;
      current = upcoming;
      number++;
      nextRead = current.length === partSize ? await readPart(false) : undefined;
    }
    await slot(1);
    if (totalBytes !== undefined && bytes !== totalBytes) throw short(bytes);
    const md5 = await raceAbort(job.whole(), signal);
    signal.throwIfAborted();
    const totals: UploadTotals = { bytes, md5, parts: number };
    const result = await target.complete(totals, signal);
    return { result, totals };
  } catch (error) {
    if (!signal.aborted) controller.abort(error);
    reader.stop();
    // Every part in flight settles (they were cancelled) before the clean-up, so none lands after it.
    await Promise.allSettled([...inFlight]);
    if (began) await target.cleanUp?.(error).catch(() => {});
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onCallerAbort);
    job.close();
  }
}
