// Content-Encoding decoding for the transport: gzip, deflate (zlib or raw), br; at most 5 codings;
// the decoded size of a buffered body capped (decompression bombs stop early, in bounded memory).
import { Transform, pipeline, type Readable, type TransformCallback } from "node:stream";
import * as zlib from "node:zlib";

/** More codings than this are refused (undici, urllib3 and curl cap at 5 too). */
export const MAX_CONTENT_CODINGS = 5;

/** Why decoding failed: too many codings, or bad data. */
export class DecodeFailure extends Error {
  constructor(message: string, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The codings to undo, outermost last as listed in the header. Returns [] for none or identity,
 * and undefined when a coding is unknown (the body is then handed over as received).
 */
export function parseContentCodings(header: string | undefined): string[] | undefined {
  if (header === undefined || header === "") return [];
  const codings = header.split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity");
  if (codings.length > MAX_CONTENT_CODINGS) {
    throw new DecodeFailure(`Too many content codings (${codings.length}; at most ${MAX_CONTENT_CODINGS})`, "ERR_TOO_MANY_CODINGS");
  }
  return codings.every((c) => c in DECODERS) ? codings : undefined;
}

/** Inflates deflate bodies whether or not they carry the zlib header (servers send both). */
class AutoInflate extends Transform {
  #inner: zlib.Inflate | zlib.InflateRaw | undefined;
  #pendingCallback: TransformCallback | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.#inner === undefined) {
      const zlibHeader = chunk.length > 0 && (chunk[0]! & 0x0f) === 0x08;
      const inner = zlibHeader ? zlib.createInflate() : zlib.createInflateRaw();
      inner.on("data", (out: Buffer) => {
        if (!this.push(out)) inner.pause();
      });
      inner.on("error", (err) => this.destroy(err));
      inner.on("end", () => {
        const cb = this.#pendingCallback;
        this.#pendingCallback = undefined;
        cb?.();
      });
      this.#inner = inner;
    }
    if (this.#inner.write(chunk)) callback();
    else this.#inner.once("drain", () => callback());
  }

  override _read(size: number): void {
    this.#inner?.resume();
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#inner === undefined) return callback();
    this.#pendingCallback = callback;
    this.#inner.end();
  }
}

const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => new AutoInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** Pipes a body through the decoders for `codings` (last listed is undone first). */
export function decodeStream(body: Readable, codings: readonly string[]): Readable {
  if (codings.length === 0) return body;
  const stages = [...codings].reverse().map((c) => DECODERS[c]!());
  const streams: (Readable | Transform)[] = [body, ...stages];
  // pipeline destroys every stage on error and forwards the error to the last one.
  return (pipeline as any)(...streams, () => {}) as Readable;
}

/** Reads a stream whole, failing with `onLimit()` once more than `limit` bytes have come. */
export async function readWhole(stream: AsyncIterable<Buffer>, limit: number, onLimit: (received: number) => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limit) {
      (stream as Partial<Readable>).destroy?.();
      throw onLimit(total);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
