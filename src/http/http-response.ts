// Port of libcloud/common/base.py: HTTPResponse — what the transport hands to the response classes.
import type { Readable } from "node:stream";
import { inspect, type InspectOptionsStylized } from "node:util";
import type { HeaderMap } from "../common/exceptions.js";
import { LibcloudError, ResponseTooLargeError } from "../common/types.js";
import { inspectView, showHttpResponse, type InspectFunction } from "../utils/show.js";

const EMPTY = Buffer.alloc(0);

/** What a transport gives to build an HTTPResponse. */
export interface HTTPResponseInit {
  /** HTTP status code. */
  status: number;
  /** The reason phrase. */
  reason?: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: HeaderMap;
  /** The headers as received, `[name, value, name, value, …]`, repeats kept. */
  rawHeaders?: readonly string[];
  /** HTTP version, e.g. "1.1". */
  version?: string;
  /** The whole body (buffered responses), a stream (raw responses), or null (no body). */
  body: Buffer | Readable | null;
  /** The cap on reading a stream whole with `read()` (decoded bytes), and its error. @defaultValue no cap */
  bodyLimit?: BodyLimit | undefined;
}

/** How much of a streamed body `read()` may collect at once, and the error past that. */
export interface BodyLimit {
  /** The most bytes `read()` collects. */
  bytes: number;
  /** The error once `received` bytes exceed `bytes`. */
  tooLarge: (received: number) => Error;
}

/**
 * The cap on reading a raw body whole (RawResponse.body()): the buffered cap, on decoded bytes, with
 * its ResponseTooLargeError naming method and origin. The transport and MockHttp both use it (H7, H16).
 */
export function bufferedReadLimit(limit: number, method: string, origin: string): BodyLimit {
  return {
    bytes: limit,
    tooLarge: (received) => new ResponseTooLargeError(
      `Response body over the ${limit}-byte limit for buffered reads (got ${received} bytes decoded; iterate the body to read more): ${method} ${origin}`,
      { code: "ERR_RESPONSE_TOO_LARGE", host: origin, method, limit },
    ),
  };
}

/**
 * A response as the transport received it. A buffered response has its whole (decoded) body in
 * {@link HTTPResponse.bodyBuffer}; a raw response has an unread stream. A response to HEAD, or a
 * 204 or 304, has an empty body and never waits for one.
 */
export class HTTPResponse {
  /** HTTP status code. */
  readonly status: number;
  /** The reason phrase ("" if none). */
  readonly reason: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: HeaderMap;
  /** The headers as received, `[name, value, name, value, …]`, repeats kept. */
  readonly rawHeaders: readonly string[];
  /** HTTP version, e.g. "1.1". */
  readonly version: string;
  #buffer: Buffer | null;
  #offset = 0;
  readonly #stream: Readable | null;
  readonly #limit: BodyLimit | undefined;

  constructor(init: HTTPResponseInit) {
    this.#limit = init.bodyLimit;
    this.status = init.status;
    this.reason = init.reason ?? "";
    this.headers = init.headers;
    this.rawHeaders = init.rawHeaders ?? [];
    this.version = init.version ?? "1.1";
    if (init.body === null) {
      this.#buffer = EMPTY;
      this.#stream = null;
    } else if (Buffer.isBuffer(init.body)) {
      this.#buffer = init.body;
      this.#stream = null;
    } else {
      this.#buffer = null;
      this.#stream = init.body;
    }
  }

  /** The whole body when the transport buffered it; null for an unread stream. */
  get bodyBuffer(): Buffer | null {
    return this.#buffer;
  }

  /** The body as a Node Readable (an already-ended one for buffered or empty bodies). */
  get stream(): Readable | null {
    return this.#stream;
  }

  /** Shown without credentials or body (src/utils/show.ts). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials or body (src/utils/show.ts). */
  toJSON(): Record<string, unknown> {
    return showHttpResponse(this);
  }

  /**
   * Reads up to `amt` bytes (all that is left when omitted); an empty Buffer at the end. Reading a
   * stream whole is capped by the transport's `maxBufferedBodyBytes` (ResponseTooLargeError).
   */
  async read(amt?: number): Promise<Buffer> {
    if (amt !== undefined && (!Number.isInteger(amt) || amt < 0)) {
      throw new RangeError(`read(amt): amt must be a non-negative integer, got ${String(amt)}`);
    }
    if (this.#buffer !== null) {
      const end = amt === undefined ? this.#buffer.length : Math.min(this.#buffer.length, this.#offset + amt);
      const out = this.#buffer.subarray(this.#offset, end);
      this.#offset = end;
      return out;
    }
    const stream = this.#stream!;
    if (amt === undefined) {
      const limit = this.#limit;
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of stream) {
        total += (chunk as Buffer).length;
        if (limit !== undefined && total > limit.bytes) {
          // Stop reading: the rest is never held, and the connection is freed.
          stream.on("error", () => {});
          stream.destroy();
          throw limit.tooLarge(total);
        }
        chunks.push(chunk as Buffer);
      }
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    }
    if (amt === 0) return EMPTY;
    return readSome(stream, amt);
  }
}

/** Reads up to `amt` bytes from a paused-mode stream, waiting for data, end or error. */
function readSome(stream: Readable, amt: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const tryRead = (): boolean => {
      if (stream.errored) {
        cleanup();
        reject(stream.errored);
        return true;
      }
      const chunk = stream.read(Math.min(amt, stream.readableLength || amt)) as Buffer | null;
      if (chunk !== null) {
        cleanup();
        resolve(chunk);
        return true;
      }
      if (stream.readableEnded || stream.destroyed) {
        cleanup();
        if (stream.destroyed && !stream.readableEnded) reject(new LibcloudError("Response stream was closed before it ended"));
        else resolve(EMPTY);
        return true;
      }
      return false;
    };
    const onReadable = (): void => void tryRead();
    const onEnd = (): void => { cleanup(); resolve(EMPTY); };
    const onError = (err: Error): void => { cleanup(); reject(err); };
    const onClose = (): void => void tryRead();
    function cleanup(): void {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    }
    stream.on("readable", onReadable);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
    tryRead();
  });
}
