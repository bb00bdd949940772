// Port of libcloud/http.py: LibcloudConnection — the HTTP transport, on undici: a keep-alive pool
// per connection, TLS verification on by default, proxies, redirects, timeouts, transparent
// decoding, a cap on buffered bodies, and streamed raw bodies with backpressure.
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import { inspect, type InspectOptionsStylized } from "node:util";
import { Agent, Pool, ProxyAgent, buildConnector, errors as undiciErrors, type Dispatcher } from "undici";
import { settings } from "../common/settings.js";
import { REQUEST_DEADLINE_FACTOR, checkByteCount, checkCount, checkDuration, checkTimeout } from "../common/numeric-options.js";
import { HTTPResponse, bufferedReadLimit } from "./http-response.js";
import { headerValue } from "../common/exceptions.js";
import {
  ClientClosedError, DecompressionError, ProxyError, RedirectError, ResponseTooLargeError, TimeoutError,
} from "../common/types.js";
import { BufferedHop, Exchange, type HopFailure, type TimeoutPhase } from "./buffered.js";
import { ConnectAttempts, attemptSignal, type Connector } from "./connect.js";
import { checkRequestHeaders } from "./headers.js";
import { DecodeFailure, acceptedCodings, decodeStream, parseContentCodings } from "./decode.js";
import { ProxyTunnelFailure, toTransportError, type FailureSite } from "./errors.js";
import { parseProxyUrl, proxyAuthorization, proxyFromEnvironment, type ProxyConfig } from "./proxy.js";
import { MAX_REDIRECTS, REDIRECT_STATUSES, RedirectRefusal, nextHop, type Hop } from "./redirect.js";
import { buildTlsOptions } from "./tls.js";
import { inspectView, showTransport, type InspectFunction } from "../utils/show.js";


/** What a connection gives its transport (`new connCls(options)`). */
export interface TransportOptions {
  /** Host name or IP literal (no brackets). */
  host: string;
  /** The port. */
  port: number;
  /** Whether to speak https. */
  secure: boolean;
  /**
   * Request timeout in ms, the bound on every wait: making the socket (TCP, TLS, a proxy's CONNECT
   * and the TLS inside it, together), the response's headers from the request written (1xx
   * responses do not reset it), and idle time between body chunks. @defaultValue 60000
   */
  timeout?: number | undefined;
  /**
   * Overall deadline in ms for a buffered (non-raw) request: connect, redirects, headers and the
   * whole body. Raw and streamed requests have only the idle bounds (a body also waits at most
   * `timeout` on its reader), since their reader sets the pace. @defaultValue 10 × timeout
   */
  requestDeadline?: number | undefined;
  /** Proxy URL; undefined reads the environment, null means no proxy. */
  proxyUrl?: string | null | undefined;
  /** Extra CA certificates (PEM path or contents), added to Node's roots. */
  caCert?: string | undefined;
  /** Verify the server's certificate. @defaultValue settings.verifySslCert */
  verifySslCert?: boolean | undefined;
  /** Client certificate (PEM path or contents). */
  certFile?: string | undefined;
  /** Client key (PEM path or contents). */
  keyFile?: string | undefined;
  /** Passphrase of the client key. */
  keyPassphrase?: string | undefined;
  /** Cap on buffered bodies, decoded bytes. @defaultValue settings.maxBufferedBodyBytes */
  maxBufferedBodyBytes?: number | undefined;
  /** Most sockets open at once per origin; further requests queue. @defaultValue no cap */
  maxConnections?: number | undefined;
  /** Name of the connection class, for error hints. */
  connectionClassName?: string | undefined;
  /** Resolves host names when connecting (as `net.connect`'s `lookup`). @defaultValue dns.lookup */
  lookup?: LookupFunction | undefined;
}

/** A body the transport can send. */
export type TransportBody = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array> | null | undefined;

/** One request as the connection hands it to the transport. */
export interface TransportRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** Path and query, starting with "/". */
  url: string;
  /** Request headers, as they are to be sent. */
  headers: Record<string, string>;
  /** The body, if any (a stream body is sent once and never replayed). */
  body?: TransportBody;
  /** Leave the body unread: the response carries a stream. */
  raw?: boolean;
  /** Same as `raw` for the transport (libcloud's `stream=True`). */
  stream?: boolean;
  /** Cancels the request, its redirects and the body read. */
  signal?: AbortSignal | undefined;
  /** Header names (any case) dropped, like Authorization, when a redirect leaves the origin. */
  sensitiveHeaders?: readonly string[] | undefined;
  /** The request may be sent twice (a stale keep-alive socket is then retried once). @defaultValue by method */
  idempotent?: boolean | undefined;
}

/** The transport interface: LibcloudConnection, MockHttp, or anything set as `connCls`. */
export interface Transport {
  /** The origin, `scheme://host[:port]`. */
  readonly host: string;
  /** Sends one request (following redirects) and resolves to its response. */
  request(request: TransportRequest): Promise<HTTPResponse>;
  /** Routes the following requests through a proxy (`null` for none). */
  setHttpProxy(url: string | null): void;
  /** Closes the pool; requests in flight fail with ClientClosedError. */
  close(): Promise<void>;
}

/** A transport class. */
export type TransportClass = new (options: TransportOptions) => Transport;

/** `scheme://host[:port]`, the port left out when it is the scheme's own. */
export function formatOrigin(secure: boolean, host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const implicit = secure ? 443 : 80;
  return `${secure ? "https" : "http"}://${h}${port === implicit ? "" : `:${port}`}`;
}

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** The byte length of a body known in advance (none is 0), or undefined for a stream. */
function knownLength(body: TransportBody): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body);
  return body instanceof Uint8Array ? body.byteLength : undefined;
}

function isReplayableBody(body: TransportBody): boolean {
  return body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
}

/**
 * The default transport (`libcloud.http.LibcloudConnection`). Each instance owns its pool (an
 * undici Agent, or a ProxyAgent), so sockets and TLS sessions are never shared between connections,
 * whatever their TLS options.
 */
export class LibcloudConnection implements Transport {
  /** The origin, `scheme://host[:port]`. */
  readonly host: string;
  /** The host name as configured (an IP literal without brackets). */
  readonly hostname: string;
  /** The port. */
  readonly port: number;
  /** Whether the transport speaks https. */
  readonly secure: boolean;
  /** Timeout in ms: connect, time to headers, and idle time between body chunks. */
  readonly timeout: number;
  /** Overall deadline in ms for a buffered request (10 × timeout unless given). */
  readonly requestDeadline: number;
  /** Cap on buffered bodies, in decoded bytes. */
  readonly maxBufferedBodyBytes: number;
  /** The proxy in use (password non-enumerable), or null. */
  proxy: ProxyConfig | null = null;
  readonly #connect: Record<string, unknown>;
  readonly #connectionClassName: string | undefined;
  readonly #maxConnections: number | undefined;
  /** `host` normalised by the URL parser (case, brackets), so same-origin redirects compare equal. */
  readonly #origin: string;
  #dispatcher: Dispatcher;
  #closed = false;
  /** Sockets being made, each bounded by `timeout`; close() stops them all. */
  readonly #attempts = new ConnectAttempts();
  /** Requests that have no socket yet (queued, or waiting for one being made). */
  #awaitingSocket = 0;

  constructor(options: TransportOptions) {
    this.hostname = options.host;
    this.port = options.port;
    this.secure = options.secure;
    this.host = formatOrigin(options.secure, options.host, options.port);
    this.#origin = new URL(this.host).origin;
    // Checked here too: a transportOptions() override or a direct caller skips the connection's checks.
    this.timeout = checkTimeout(options.timeout ?? 60_000);
    this.requestDeadline = options.requestDeadline === undefined ? this.timeout * REQUEST_DEADLINE_FACTOR : checkDuration("requestDeadline", options.requestDeadline);
    this.maxBufferedBodyBytes = checkByteCount("maxBufferedBodyBytes", options.maxBufferedBodyBytes ?? settings.maxBufferedBodyBytes);
    this.#connectionClassName = options.connectionClassName;
    this.#maxConnections = options.maxConnections === undefined ? undefined : checkCount("maxConnections", options.maxConnections);
    const tls = buildTlsOptions({
      verify: options.verifySslCert ?? settings.verifySslCert,
      caCert: options.caCert ?? settings.caCertsPath,
      certFile: options.certFile,
      keyFile: options.keyFile,
      keyPassphrase: options.keyPassphrase,
    });
    // undici's own connect timer is off (timeout 0): #bound times the whole of making a socket.
    this.#connect = { ...tls, timeout: 0, ...(options.lookup === undefined ? {} : { lookup: options.lookup }) };
    const proxyUrl = options.proxyUrl === undefined ? proxyFromEnvironment(this.secure, this.hostname, this.port) : options.proxyUrl;
    this.#dispatcher = this.#makeDispatcher(proxyUrl ?? null);
  }

  #makeDispatcher(proxyUrl: string | null): Dispatcher {
    const cap = this.#maxConnections === undefined ? {} : { connections: this.#maxConnections };
    // undici's headers and body timers are off: its timers are coarse (up to a second late), and
    // each request is bounded by its Exchange instead (buffered.ts).
    const common = { keepAliveTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0, ...cap };
    if (proxyUrl === null) {
      this.proxy = null;
      return new Agent({ ...common, connect: this.#bound(buildConnector(this.#connect)) });
    }
    const proxy = parseProxyUrl(proxyUrl);
    this.proxy = proxy;
    const token = proxyAuthorization(proxy);
    return new ProxyAgent({
      ...common,
      // The URI without credentials: undici keeps it in plain sight; the credentials go in `token`.
      uri: `${proxy.scheme}://${proxy.host.includes(":") ? `[${proxy.host}]` : proxy.host}:${proxy.port}`,
      ...(token === undefined ? {} : { token }),
      // Plain-http targets are sent to an http proxy in absolute form; https targets are tunnelled.
      proxyTunnel: false,
      requestTls: this.#connect,
      proxyTls: this.#connect,
      // The pool that carries CONNECTs: a CONNECT's wait is bounded by the attempt it serves.
      clientFactory: (origin: URL, opts: { connect?: unknown }) => tunnelClient(new Pool(origin, { ...opts, ...common, connect: this.#bound(opts.connect) })),
      // undici makes the pool that carries plain-http requests to the proxy with only `connect`:
      // the cap on sockets must be given here, or it would not apply through a proxy. For tunnelled
      // targets `connect` is undici's tunnel (CONNECT, then TLS to the target): bounded as one wait.
      factory: (origin: string | URL, opts: { connect?: unknown }) => new Pool(origin, { ...opts, ...cap, connect: this.#bound(opts.connect) }),
    });
  }

  /** A connector bounded by `timeout` (undici's default connector when given none). */
  #bound(connect: unknown): Connector {
    const inner = typeof connect === "function" ? connect as Connector : buildConnector(this.#connect);
    return this.#attempts.bound(inner, this.timeout);
  }

  /** Shown without credentials (src/utils/show.ts). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials (src/utils/show.ts). */
  toJSON(): Record<string, unknown> {
    return showTransport(this);
  }

  /** Routes the following requests through a proxy (`null` for none). */
  setHttpProxy(url: string | null): void {
    const next = this.#makeDispatcher(url);
    const previous = this.#dispatcher;
    this.#dispatcher = next;
    void previous.close().catch(() => {});
  }

  /**
   * Sends a request, following redirects; a buffered response is read (and decoded) whole within
   * the request deadline, a raw one is left as a stream.
   */
  request(request: TransportRequest): Promise<HTTPResponse> {
    const site = this.#site(request.method, this.host);
    if (this.#closed) return Promise.reject(new ClientClosedError(`Connection closed: ${request.method} ${this.host}`, { code: "ERR_CLIENT_CLOSED", host: this.host, method: request.method, requestSent: false }));
    // The last check before the wire, whatever hooks and signers added (InvalidHeaderError, never sent).
    try {
      checkRequestHeaders(request.headers, knownLength(request.body));
    } catch (error) {
      return Promise.reject(error);
    }
    // Not async: each async frame that returns another's promise costs microtask turns per request.
    return this.#fetch(request, site, request.raw === true || request.stream === true);
  }

  /**
   * Sends a request, following redirects, through one dispatch() per hop (buffered.ts). A buffered
   * request is read whole (and decoded) within the request deadline. A raw or streamed one has the
   * same bounds on every wait but no overall deadline (its reader sets the pace): its final body is
   * left unread as a stream, which waits at most `timeout` on the server, and as long on its reader.
   */
  async #fetch(request: TransportRequest, firstSite: FailureSite, raw: boolean): Promise<HTTPResponse> {
    const state = { site: firstSite };
    const exchange = this.#exchange(request, firstSite, state, raw ? Infinity : this.requestDeadline);
    const body = request.body ?? null;
    let sendBody: TransportBody = body;
    let hop = this.#firstHop(request, body);
    let retryStale = (request.idempotent ?? IDEMPOTENT_METHODS.has(request.method)) && isReplayableBody(body);
    // A raw response's body owns the exchange (its bounds and its release) once handed over.
    let handedOver = false;
    try {
      for (let redirects = 0; ; redirects++) {
        let result: BufferedHop;
        try {
          result = await this.#sendHop(request, hop, sendBody, exchange, raw);
        } catch (failure) {
          const { error, afterHeaders } = failure as HopFailure;
          if (exchange.aborted) throw exchange.reason;
          // A pooled keep-alive socket the server had already closed (the keep-alive race): the
          // request never got a byte back, so an idempotent one is sent again, once, on a fresh socket.
          if (retryStale && !afterHeaders && isStaleSocketClose(error)) {
            retryStale = false;
            redirects--;
            continue;
          }
          throw afterHeaders ? decodeError(error, state.site) : toTransportError(error, state.site);
        }
        retryStale = false;
        const location = result.headers["location"];
        if (!REDIRECT_STATUSES.has(result.status) || location === undefined) {
          if (raw) {
            const response = this.#respond(request, hop, result, exchange, state.site);
            handedOver = true;
            return response;
          }
          this.#checkProxyAuth(result.status, hop, state.site);
          return new HTTPResponse(result);
        }
        exchange.pause();
        ({ hop, sendBody } = this.#redirect(hop, sendBody, result.status, location, redirects, firstSite, state.site, request));
        state.site = this.#site(hop.method, hop.origin);
      }
    } finally {
      if (!handedOver) exchange.finish();
    }
  }

  /**
   * The abort state and time bounds of one request: its caller's signal, the idle bound
   * (`timeout`) on every wait once a socket is assigned, and the overall `deadlineMs`.
   */
  #exchange(request: TransportRequest, firstSite: FailureSite, state: { site: FailureSite }, deadlineMs: number): Exchange {
    const idleMs = this.timeout;
    const socketWaitMs = deadlineMs === Infinity ? this.requestDeadline : Infinity;
    const onTimeout = (phase: TimeoutPhase, readerIdle: boolean, waitingForSocket: boolean, requestSent: boolean): Error => {
      const site = phase === "request" ? firstSite : state.site;
      const where = `${site.method} ${site.origin}`;
      const details = { code: "ETIMEDOUT", phase, host: site.origin, method: site.method, requestSent };
      if (waitingForSocket && deadlineMs === Infinity) {
        return new TimeoutError(`No socket became free within ${socketWaitMs} ms (maxConnections sockets busy, or none could be made): ${where}`, details);
      }
      if (phase === "request") return new TimeoutError(`Request did not complete within ${deadlineMs} ms: ${where}`, details);
      if (phase === "headers") return new TimeoutError(`Timed out waiting for response headers (${idleMs} ms): ${where}`, details);
      if (!readerIdle) return new TimeoutError(`Timed out reading the response body (idle ${idleMs} ms): ${where}`, details);
      if (!warnedUnread) {
        warnedUnread = true;
        process.emitWarning(`A raw response body was left unread for ${idleMs} ms and has been destroyed to free its connection (${where}); read it to the end or destroy it.`, { code: "LIBCLOUD_UNREAD_BODY" });
      }
      return new TimeoutError(`Response body not read for ${idleMs} ms (idle): ${where}`, details);
    };
    this.#awaitingSocket++;
    const onSocketOrEnd = (endedWithout: "aborted" | "failed" | null): void => {
      this.#awaitingSocket--;
      // The last request waiting for a socket was aborted: stop making sockets nobody will use
      // (a stalled handshake would otherwise hold the process for up to `timeout`).
      if (endedWithout === "aborted" && this.#awaitingSocket === 0 && this.#attempts.size > 0) {
        this.#attempts.stopAll(new undiciErrors.RequestAbortedError("no request waits for this socket any more"));
      }
    };
    return new Exchange({ idleMs, deadlineMs, socketWaitMs, onTimeout, onSocketOrEnd }, request.signal);
  }

  /** One hop: buffered (the body read whole) or, with `stream`, resolved at the headers. */
  #sendHop(request: TransportRequest, hop: Hop, body: TransportBody, exchange: Exchange, stream: boolean): Promise<BufferedHop> {
    const limit = this.maxBufferedBodyBytes;
    const handler = new BufferedHop({
      method: hop.method,
      acceptEncoding: headerValue(request.headers, "accept-encoding"),
      limit,
      onLimit: (received, decoded) => new ResponseTooLargeError(
        `Response body over the ${limit}-byte limit for buffered responses (got ${received} bytes${decoded ? " decoded" : ""}; use raw/stream requests for large bodies): ${hop.method} ${hop.origin}`,
        { code: "ERR_RESPONSE_TOO_LARGE", host: hop.origin, method: hop.method, limit },
      ),
      dropBody: (status, headers) => REDIRECT_STATUSES.has(status) && headers["location"] !== undefined || this.#proxyRefused(status, hop),
      stream,
    }, exchange);
    exchange.current = handler;
    if (exchange.aborted) handler.cancel(exchange.reason);
    this.#dispatcher.dispatch(this.#dispatchOptions(hop, body), handler);
    return handler.promise;
  }

  #dispatchOptions(hop: Hop, body: TransportBody): Dispatcher.DispatchOptions {
    return {
      origin: hop.origin,
      path: hop.path,
      method: hop.method,
      headers: hop.headers,
      body: (body ?? null) as NonNullable<Dispatcher.DispatchOptions["body"]> | null,
      // Bounded by the request's Exchange, to the millisecond (undici's timers are coarse).
      headersTimeout: 0,
      bodyTimeout: 0,
      // undici closes the socket after every HEAD (and says `Connection: close`) unless told
      // not to; a driver's getObject is a HEAD, so that cost a new TCP connection per call.
      // The response to a HEAD is read as body-less either way.
      ...(hop.method === "HEAD" ? { reset: false } : {}),
    };
  }

  #firstHop(request: TransportRequest, body: TransportBody): Hop {
    return {
      method: request.method,
      origin: this.#origin,
      path: request.url.startsWith("/") ? request.url : `/${request.url}`,
      headers: request.headers,
      hasBody: body !== null && body !== undefined && body !== "",
      bodyReplayable: isReplayableBody(body),
    };
  }

  /** The next hop after a redirect (docs/SPEC.md decision 2; the rules are in redirect.ts). */
  #redirect(hop: Hop, sendBody: TransportBody, status: number, location: string, redirects: number, firstSite: FailureSite, site: FailureSite, request: TransportRequest): { hop: Hop; sendBody: TransportBody } {
    if (redirects >= MAX_REDIRECTS) {
      throw new RedirectError(`Too many redirects (more than ${MAX_REDIRECTS}): ${firstSite.method} ${firstSite.origin}`, {
        code: "ERR_TOO_MANY_REDIRECTS", host: firstSite.origin, method: firstSite.method, requestSent: true,
      });
    }
    try {
      const next = nextHop(hop, status, location, request.sensitiveHeaders ?? []);
      if (next.dropBody) {
        releaseBody(sendBody);
        return { hop: next.hop, sendBody: null };
      }
      return { hop: next.hop, sendBody };
    } catch (error) {
      releaseBody(sendBody);
      if (!(error instanceof RedirectRefusal)) throw error;
      throw new RedirectError(`${error.message}: ${site.method} ${site.origin}`, { code: error.code, host: site.origin, method: site.method, requestSent: true, cause: error });
    }
  }

  /** Whether a status is the proxy refusing a plain-http request (its 407, not the target's). */
  #proxyRefused(status: number, hop: Hop): boolean {
    return status === 407 && this.proxy !== null && hop.origin.startsWith("http:");
  }

  /** A plain-http request through a proxy that wants credentials. */
  #checkProxyAuth(status: number, hop: Hop, site: FailureSite): void {
    if (this.#proxyRefused(status, hop)) {
      throw new ProxyError(`Proxy refused the request (407 Proxy Authentication Required): ${site.method} ${site.origin}`, {
        code: "ERR_PROXY_AUTH", statusCode: 407, host: site.origin, method: site.method, requestSent: true,
      });
    }
  }

  #site(method: string, origin: string): FailureSite {
    return { method, origin, hostname: this.hostname, connectionClassName: this.#connectionClassName, viaProxy: this.proxy !== null };
  }

  #respond(request: TransportRequest, hop: Hop, result: BufferedHop, exchange: Exchange, site: FailureSite): HTTPResponse {
    const headers = result.headers;
    const init = { status: result.status, reason: result.reason, headers, rawHeaders: result.rawHeaders };
    const stream = result.stream;
    this.#checkProxyAuth(result.status, hop, site);
    if (stream === null || hop.method === "HEAD" || result.status === 204 || result.status === 304) {
      // Nothing to read (whatever Content-Length says).
      exchange.finish();
      if (stream !== null) discard(stream);
      return new HTTPResponse({ ...init, body: null });
    }
    site.headersReceived = true;
    let codings: string[] | undefined;
    try {
      codings = parseContentCodings(headers["content-encoding"]) ?? [];
      if (!acceptedCodings(codings, headerValue(request.headers, "accept-encoding"))) codings = [];
    } catch (error) {
      discard(stream);
      throw decodeError(error, site);
    }
    const limit = this.maxBufferedBodyBytes;
    return new HTTPResponse({
      ...init,
      body: mapStreamErrors(decodeStream(stream, codings), site, request.signal),
      // What reading the whole body at once may hold (RawResponse.body()): the buffered cap, decoded.
      bodyLimit: bufferedReadLimit(limit, site.method, site.origin),
    });
  }

  /** Closes the pool; requests in flight fail with ClientClosedError. Calling it twice is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const destroyed = this.#dispatcher.destroy().catch(() => {});
    // Sockets still being made (a stalled TLS handshake, a CONNECT the proxy never answers) go now.
    this.#attempts.stopAll(new undiciErrors.ClientDestroyedError());
    await destroyed;
  }
}

/**
 * undici's SocketError (the server closed the socket: "other side closed", "closed") on a socket
 * that had carried an earlier response. Matched by undici's error class and code, not its message.
 */
function isStaleSocketClose(error: unknown): boolean {
  if (!(error instanceof undiciErrors.SocketError) || error.code !== "UND_ERR_SOCKET") return false;
  const bytesRead = (error.socket as { bytesRead?: unknown } | null | undefined)?.bytesRead;
  return typeof bytesRead === "number" && bytesRead > 0;
}

/**
 * Wraps the pool to the proxy so that a failed CONNECT (refused, closed, or answered with a status
 * other than 200) is a ProxyTunnelFailure with the proxy's status: undici would otherwise report a
 * closed proxy as a socket error and keep reconnecting.
 */
function tunnelClient(pool: Pool): Pool {
  const connect: (options: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData> = pool.connect.bind(pool);
  Object.defineProperty(pool, "connect", {
    configurable: true,
    value: async (options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> => {
      let data: Dispatcher.ConnectData;
      const signal = options.signal ?? undefined;
      try {
        data = await connect(options);
      } catch (cause) {
        throw new ProxyTunnelFailure(`Proxy tunnel failed (${(cause as Error).message})`, undefined, cause);
      }
      if (data.statusCode !== 200) {
        data.socket.on("error", () => {}).destroy();
        throw new ProxyTunnelFailure(`Proxy answered CONNECT with ${data.statusCode}`, data.statusCode);
      }
      // The TLS handshake inside the tunnel is still part of the attempt: stopping it ends the tunnel.
      const attempt = attemptSignal(options) ?? (signal instanceof AbortSignal ? signal : undefined);
      if (attempt?.aborted === true) data.socket.destroy();
      else attempt?.addEventListener("abort", () => data.socket.destroy(), { once: true });
      return data;
    },
  });
  return pool;
}

/** Closes a request body stream that will not be sent (again), so a file handle is not left open. */
function releaseBody(body: TransportBody): void {
  const stream = body as { destroy?: unknown } | null | undefined;
  if (stream !== null && stream !== undefined && typeof stream.destroy === "function") (stream as { destroy(): void }).destroy();
}

/** Destroys an unread body; undici emits an abort error on destroy, which nobody else listens for. */
function discard(body: Readable): void {
  body.on("error", () => {});
  body.destroy();
}

function decodeError(error: unknown, site: FailureSite): unknown {
  if (error instanceof DecodeFailure) {
    return new DecompressionError(`${error.message}: ${site.method} ${site.origin}`, { code: error.code, host: site.origin, method: site.method, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("Z_") || (error as Error | null)?.message === "unexpected end of file") {
    return new DecompressionError(`Could not decode the response body (${(error as Error).message}): ${site.method} ${site.origin}`, {
      code: typeof code === "string" ? code : "Z_BUF_ERROR", host: site.origin, method: site.method, cause: error,
    });
  }
  return toTransportError(error, site);
}

let warnedUnread = false;

/**
 * A stream whose errors are typed transport errors, with backpressure kept. Its time bounds are
 * the Exchange's: a body left unread for `timeout` (never started, or paused) is destroyed with a
 * body TimeoutError, so a forgotten raw response cannot hold its socket forever; the first time,
 * a process warning names the leak.
 */
function mapStreamErrors(source: Readable, site: FailureSite, signal: AbortSignal | undefined): Readable {
  async function* pump(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw decodeError(error, site);
    } finally {
      discard(source);
    }
  }
  const out = Readable.from(pump(), { objectMode: false, highWaterMark: 64 * 1024 });
  // Destroyed before its first read, the generator never runs its `finally`: free the socket here.
  out.once("close", () => discard(source));
  return out;
}
