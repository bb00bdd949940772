// The transport's request path: one undici dispatch() per hop with a handler that collects the
// body itself (buffered) or hands it on as a stream with backpressure (raw). undici's request()
// would build a Readable body, an abort-signal bridge and several promises per request, only for
// the transport to read that stream straight back into a Buffer: about a fifth of the CPU of a
// small loopback request in Node 20 (docs/benchmarks.md, case a). Every wait after the socket is
// bounded here, by one timer per request (the Exchange's), not by undici's coarse timers.
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { HeaderMap } from "../common/exceptions.js";
import { Deadline, monotonicNow } from "../utils/clock.js";
import { acceptedCodings, decodeStream, parseContentCodings, readWhole } from "./decode.js";

/** Bytes of a redirect's (or other ignored) body drained to keep the socket; past this it is closed. */
const MAX_DRAINED_BYTES = 128 * 1024;

/** Which wait timed out: the response's headers, the body (idle), or the whole request (deadline). */
export type TimeoutPhase = "headers" | "body" | "request";

/** How an exchange is timed. */
export interface ExchangeTiming {
  /** The idle bound in ms: from the request written to its headers, and between body chunks. */
  idleMs: number;
  /** The overall bound in ms (buffered requests), or Infinity. */
  deadlineMs: number;
  /**
   * The bound in ms on waiting for a socket (queued behind busy ones, or one being made) when there
   * is no overall deadline (raw requests); ignored otherwise, the deadline bounds that wait.
   * @defaultValue Infinity
   */
  socketWaitMs?: number | undefined;
  /**
   * The error for a timeout; `readerIdle` when the body waited on its reader, not the server;
   * `waitingForSocket` when the hop in flight had no socket yet; `requestSent` when some hop had
   * one (a redirected request waiting for its next socket was sent once already).
   */
  onTimeout: (phase: TimeoutPhase, readerIdle: boolean, waitingForSocket: boolean, requestSent: boolean) => Error;
  /** Called once: when the request first has a socket, or when it ends without one (`aborted` then says why). */
  onSocketOrEnd?: ((endedWithout: "aborted" | "failed" | null) => void) | undefined;
}

/**
 * One request's abort state across its hops: its caller's signal and its time bounds. Every wait
 * once a socket is assigned (headers, 1xx floods included, and each body chunk) is bounded by
 * one {@link Deadline}: progress moves it later for the cost of a number store.
 */
export class Exchange {
  aborted = false;
  reason: unknown = undefined;
  /** The hop in flight. */
  current: BufferedHop | null = null;
  readonly #timing: ExchangeTiming;
  readonly #deadline: Deadline;
  readonly #hardAt: number;
  #phase: "headers" | "body" | null = null;
  #signal: AbortSignal | undefined = undefined;
  #onSignal: (() => void) | undefined = undefined;
  #finished = false;
  #hadSocket = false;
  /** No socket is assigned to the hop in flight yet (before the first, and between hops). */
  #waitingForSocket = true;

  constructor(timing: ExchangeTiming, signal?: AbortSignal) {
    this.#timing = timing;
    this.#deadline = new Deadline(() => this.#expire());
    this.#hardAt = timing.deadlineMs === Infinity ? Infinity : monotonicNow() + timing.deadlineMs;
    if (this.#hardAt !== Infinity) {
      // The timer is set once, for the earliest an idle wait could end: the waits that follow
      // (headers, then body) only move the deadline, so a quick request costs one setTimeout.
      this.#deadline.setAt(Math.min(monotonicNow() + timing.idleMs, this.#hardAt));
      this.#deadline.setAt(this.#hardAt);
    } else {
      this.#boundSocketWait();
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        this.abort(signal.reason);
      } else {
        this.#signal = signal;
        this.#onSignal = () => this.abort(signal.reason);
        signal.addEventListener("abort", this.#onSignal, { once: true });
      }
    }
  }

  /** Starts an idle wait: it times out `idleMs` from now unless {@link touch} moves it. */
  wait(phase: "headers" | "body"): void {
    if (this.#finished) return;
    if (!this.#hadSocket) {
      this.#hadSocket = true;
      this.#timing.onSocketOrEnd?.(null);
    }
    this.#phase = phase;
    this.#waitingForSocket = false;
    this.#deadline.setAt(Math.min(monotonicNow() + this.#timing.idleMs, this.#hardAt));
  }

  /** Progress in the current wait (a chunk came, or the reader asked for more). */
  touch(): void {
    if (this.#phase !== null) this.#deadline.setAt(Math.min(monotonicNow() + this.#timing.idleMs, this.#hardAt));
  }

  /** No idle wait (between hops): only the overall bound runs. */
  pause(): void {
    this.#phase = null;
    this.#waitingForSocket = true;
    if (this.#hardAt !== Infinity) this.#deadline.setAt(this.#hardAt);
    else this.#boundSocketWait();
  }

  /** Without an overall deadline, the wait for the next socket has its own bound. */
  #boundSocketWait(): void {
    const ms = this.#timing.socketWaitMs ?? Infinity;
    this.#deadline.setAt(ms === Infinity ? Infinity : monotonicNow() + ms);
  }

  /** The exchange is over: its timer and signal listener are released. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#phase = null;
    this.#deadline.clear();
    if (this.#onSignal !== undefined) this.#signal?.removeEventListener("abort", this.#onSignal);
    this.#onSignal = undefined;
    if (!this.#hadSocket) {
      this.#hadSocket = true;
      this.#timing.onSocketOrEnd?.(this.aborted ? "aborted" : "failed");
    }
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.current?.cancel(reason);
    this.finish();
  }

  #expire(): void {
    if (this.#finished) return;
    const phase: TimeoutPhase = monotonicNow() >= this.#hardAt - 1 ? "request" : this.#phase ?? "request";
    this.abort(this.#timing.onTimeout(phase, phase === "body" && this.current?.readerIdle === true, this.#waitingForSocket, this.#hadSocket));
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
  /** Resolve at the headers with the body left as a stream ({@link BufferedHop.stream}), undecoded. */
  stream?: boolean;
}

/** Why a hop failed, and whether the response's headers had arrived by then. */
export class HopFailure {
  constructor(readonly error: unknown, readonly afterHeaders: boolean) {}
}

const enum Mode { Headers, Collect, Decode, Stream, Drain, Done }

/** Read-ahead of a streamed body before undici is paused. */
const STREAM_HIGH_WATER_MARK = 64 * 1024;

/**
 * undici's (legacy, native in undici 7) dispatch handler for one hop of a request. `promise`
 * resolves once the body is whole (or, for a dropped body, drained), or for a stream hop once the
 * headers are in, and rejects with a HopFailure; it never rejects after resolving. Informational
 * (1xx) responses are skipped and never reset the wait for the final headers.
 */
export class BufferedHop implements Dispatcher.DispatchHandler {
  readonly promise: Promise<BufferedHop>;
  status = 0;
  reason = "";
  headers: HeaderMap = Object.create(null) as HeaderMap;
  rawHeaders: string[] = [];
  /** The whole decoded body; null for a response without one (HEAD, 204, 304) or a dropped one. */
  body: Buffer | null = null;
  /** A stream hop's body, as received (undecoded); null until the headers, and for no body. */
  stream: Readable | null = null;
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
  readonly #exchange: Exchange;

  constructor(options: HopOptions, exchange: Exchange) {
    this.#options = options;
    this.#exchange = exchange;
    this.promise = new Promise<BufferedHop>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Whether a streamed body is waiting on its reader (bytes received and not read), not on the server. */
  get readerIdle(): boolean {
    return this.#mode === Mode.Stream && this.#source !== null && this.#source.readableLength > 0;
  }

  /** Ends the hop now with `reason` (undici is told as soon as it has a socket). */
  cancel(reason: unknown): void {
    this.#fail(reason, this.#mode !== Mode.Headers);
    if (this.#mode === Mode.Stream) {
      this.#mode = Mode.Done;
      this.#destroySource(reason instanceof Error ? reason : new Error(String(reason)));
    }
    this.#stop(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#cancelled !== undefined) {
      abort(this.#cancelled as Error);
      return;
    }
    this.#abort = abort;
    // The request is being written: from now, the wait for its headers is bounded.
    this.#exchange.wait("headers");
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void, statusText: string): boolean {
    // 1xx (102, 103 …): not the response, and not progress towards it.
    if (statusCode < 200) return true;
    this.#exchange.wait("body");
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
    if (options.stream === true) {
      this.#mode = Mode.Stream;
      const exchange = this.#exchange;
      this.stream = this.#source = new Readable({
        highWaterMark: STREAM_HIGH_WATER_MARK,
        read: () => {
          exchange.touch();
          resume();
        },
        destroy: (error, callback) => {
          // Destroyed by its reader before the end: the request stops and its socket is freed.
          if (this.#mode === Mode.Stream) this.#stop(error ?? new Error("response body destroyed"));
          exchange.finish();
          callback(error);
        },
      });
      this.#succeed();
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
    this.#exchange.touch();
    switch (this.#mode) {
      case Mode.Stream:
        return this.#source!.push(chunk);
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
      case Mode.Stream:
        this.#mode = Mode.Done;
        this.#exchange.finish();
        this.#source!.push(null);
        return;
      default:
        this.#succeed();
    }
    this.#mode = Mode.Done;
  }

  onError(error: Error): void {
    const afterHeaders = this.#mode !== Mode.Headers;
    const streaming = this.#mode === Mode.Stream;
    this.#mode = Mode.Done;
    this.#destroySource(error);
    this.#fail(error, afterHeaders);
    if (streaming) this.#exchange.finish();
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

  /**
   * Ends the body stream with `error`. Its reader (if it ever reads) gets the error from the read;
   * a body nobody reads must not turn it into an uncaught one.
   */
  #destroySource(error: Error): void {
    const source = this.#source;
    if (source === null || source.destroyed) return;
    source.on("error", () => {});
    source.destroy(error);
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
