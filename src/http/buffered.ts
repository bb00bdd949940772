// The transport's buffered path: one undici dispatch() per hop with a handler that collects the
// body itself. undici's request() would build a Readable body, an abort-signal bridge and several
// promises per request, only for the transport to read that stream straight back into a Buffer:
// about a fifth of the CPU of a small loopback request in Node 20 (docs/benchmarks.md, case a).
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { HeaderMap } from "../common/exceptions.js";
import { acceptedCodings, decodeStream, parseContentCodings, readWhole } from "./decode.js";

/** Bytes of a redirect's (or other ignored) body drained to keep the socket; past this it is closed. */
const MAX_DRAINED_BYTES = 128 * 1024;

/** A buffered request's abort state across its hops: its deadline and its caller's signal. */
export class Exchange {
  aborted = false;
  reason: unknown = undefined;
  /** The hop in flight. */
  current: BufferedHop | null = null;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.current?.cancel(reason);
  }
}

/** What a hop needs to know to read its response. */
export interface HopOptions {
  method: string;
  /** The request's Accept-Encoding: only codings it asked for are undone. */
  acceptEncoding: string | undefined;
  /** Cap on the (decoded) body. */
  limit: number;
  /** The error for a body over the cap. */
  onLimit: (received: number, decoded: boolean) => Error;
  /** Whether a status ends the hop at its headers, body drained and dropped (redirects, a proxy's 407). */
  dropBody: (status: number, headers: HeaderMap) => boolean;
}

/** Why a hop failed, and whether the response's headers had arrived by then. */
export class HopFailure {
  constructor(readonly error: unknown, readonly afterHeaders: boolean) {}
}

const enum Mode { Headers, Collect, Decode, Drain, Done }

/**
 * undici's (legacy, native in undici 7) dispatch handler for one hop of a buffered request.
 * `promise` resolves once the body is whole (or, for a dropped body, drained) and rejects with a
 * HopFailure; it never rejects after resolving.
 */
export class BufferedHop implements Dispatcher.DispatchHandler {
  readonly promise: Promise<BufferedHop>;
  status = 0;
  reason = "";
  headers: HeaderMap = Object.create(null) as HeaderMap;
  rawHeaders: string[] = [];
  /** The whole decoded body; null for a response without one (HEAD, 204, 304) or a dropped one. */
  body: Buffer | null = null;
  #resolve!: (hop: BufferedHop) => void;
  #reject!: (failure: HopFailure) => void;
  #settled = false;
  #mode = Mode.Headers;
  #abort: ((reason?: Error) => void) | null = null;
  #cancelled: unknown = undefined;
  #chunks: Buffer[] = [];
  #total = 0;
  #source: Readable | null = null;
  readonly #options: HopOptions;

  constructor(options: HopOptions) {
    this.#options = options;
    this.promise = new Promise<BufferedHop>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Ends the hop now with `reason` (undici is told as soon as it has a socket). */
  cancel(reason: unknown): void {
    this.#fail(reason, this.#mode !== Mode.Headers);
    this.#stop(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#cancelled !== undefined) abort(this.#cancelled as Error);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void, statusText: string): boolean {
    this.status = statusCode;
    this.reason = statusText;
    const headers = this.headers;
    const raw = this.rawHeaders;
    if (rawHeaders !== null) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i]!.toString("latin1").toLowerCase();
        const value = rawHeaders[i + 1]!.toString("latin1");
        raw.push(name, value);
        const previous = headers[name];
        headers[name] = previous === undefined ? value : `${previous}, ${value}`;
      }
    }
    const options = this.#options;
    if (options.method === "HEAD" || statusCode === 204 || statusCode === 304) {
      // No body, whatever Content-Length says: done now (undici may still complain of the length).
      this.#mode = Mode.Drain;
      this.#succeed();
      return true;
    }
    if (options.dropBody(statusCode, headers)) {
      // Drained (up to a bound) before the next hop, so the socket can carry it.
      this.#mode = Mode.Drain;
      return true;
    }
    let codings: string[];
    try {
      codings = parseContentCodings(headers["content-encoding"]) ?? [];
      if (!acceptedCodings(codings, options.acceptEncoding)) codings = [];
    } catch (error) {
      this.#fail(error, true);
      this.#stop(error);
      return false;
    }
    if (codings.length === 0) {
      this.#mode = Mode.Collect;
      return true;
    }
    // Encoded: the body goes through the decoders as a stream, so the cap applies to decoded bytes
    // as they come (a decompression bomb stops early, in bounded memory), with backpressure.
    this.#mode = Mode.Decode;
    const source = new Readable({ read: () => resume() });
    this.#source = source;
    readWhole(decodeStream(source, codings), options.limit, (received) => options.onLimit(received, true)).then(
      (body) => {
        this.body = body;
        this.#succeed();
      },
      (error: unknown) => {
        this.#fail(error, true);
        this.#stop(error);
      },
    );
    return true;
  }

  onData(chunk: Buffer): boolean {
    switch (this.#mode) {
      case Mode.Collect: {
        this.#total += chunk.length;
        if (this.#total > this.#options.limit) {
          const error = this.#options.onLimit(this.#total, false);
          this.#fail(error, true);
          this.#stop(error);
          return false;
        }
        this.#chunks.push(chunk);
        return true;
      }
      case Mode.Decode:
        return this.#source!.push(chunk);
      case Mode.Drain:
        this.#total += chunk.length;
        if (this.#total > MAX_DRAINED_BYTES) {
          // Not worth reading to keep the socket: close it, the hop's result stands.
          this.#succeed();
          this.#stop(new Error("dropped body too large to drain"));
          return false;
        }
        return true;
      default:
        return true;
    }
  }

  onComplete(): void {
    switch (this.#mode) {
      case Mode.Collect: {
        const chunks = this.#chunks;
        this.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#total);
        this.#chunks = [];
        this.#succeed();
        break;
      }
      case Mode.Decode:
        this.#source!.push(null);
        break;
      default:
        this.#succeed();
    }
    this.#mode = Mode.Done;
  }

  onError(error: Error): void {
    const afterHeaders = this.#mode !== Mode.Headers;
    this.#mode = Mode.Done;
    this.#source?.destroy(error);
    this.#fail(error, afterHeaders);
  }

  #succeed(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(this);
  }

  #fail(error: unknown, afterHeaders: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(new HopFailure(error, afterHeaders));
  }

  /** Tells undici to stop this request (closing its socket), now or once it has one. */
  #stop(reason: unknown): void {
    this.#mode = Mode.Done;
    const source = this.#source;
    if (source !== null && !source.destroyed) {
      source.on("error", () => {});
      source.destroy();
    }
    if (this.#abort !== null) {
      const abort = this.#abort;
      this.#abort = null;
      abort(reason instanceof Error ? reason : new Error(String(reason)));
    } else if (this.#cancelled === undefined) {
      this.#cancelled = reason instanceof Error ? reason : new Error(String(reason));
    }
  }
}
