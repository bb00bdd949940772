// Port of libcloud/common/base.py: Connection.
import { inspect } from "node:util";
import { baseEvent, channels, statusOf, tracingAttempts, type RequestEvent } from "../diagnostics.js";
import { ClientClosedError, LibcloudError } from "../types.js";
import { LibcloudConnection, formatOrigin, type Transport, type TransportClass, type TransportOptions } from "../../http/libcloud-connection.js";
import { parseProxyUrl } from "../../http/proxy.js";
import { checkPemSource } from "../../http/tls.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { addRequestIdHeader, observeExchange } from "../../utils/logging-connection.js";
import { Retry, type MinimalRetry, type RetryInfo, type RetryOptions } from "../../utils/retry.js";
import { VERSION } from "../../version.js";
import type { BaseDriver } from "./base-driver.js";
import type { HTTPResponse } from "../../http/http-response.js";
import {
  addCacheBusting, copyHeaders, copyParams, encodeQuery, encodeRequestTarget, hasHeader, joinActionPath,
  normalizeHeaders, normalizeMethod, setHeader,
} from "./http-message.js";
import { checkBackoff, checkByteCount, checkCount, checkDuration, checkHost, checkOptionKeys, checkPort, checkTimeout, parseConnectionUrl } from "./options.js";
import { RawResponse } from "./raw-response.js";
import { sanitizeError } from "../../utils/show.js";
import { RequestRecord, currentRequest, requestScope, type HeaderInput, type LibcloudRequest, type Params, type RequestBody } from "./request-context.js";
import { Response, buildResponse, type ResponseConnection } from "./response.js";
import { errorForResponse } from "./response-error.js";
import { retryFailedByDefault, settings } from "../settings.js";

/** Options of a connection's constructor. Durations in milliseconds. */
export interface ConnectionOptions {
  /** Use https. @defaultValue the class's `secure` (true) */
  secure?: boolean | undefined;
  /** Host name or IP. @defaultValue the class's `host` */
  host?: string | undefined;
  /** Port. @defaultValue 443 when secure, else 80 */
  port?: number | undefined;
  /** Sets host, port, secure and requestPath at once (`https://api.example.com:8443/v2`). */
  url?: string | undefined;
  /** Per-request timeout in ms (and the retry budget). @defaultValue the class's `timeout` (60000) */
  timeout?: number | undefined;
  /** Proxy URL; `null` for none. @defaultValue from http_proxy / https_proxy */
  proxyUrl?: string | null | undefined;
  /** First retry delay in ms. @defaultValue the class's `retryDelay` (then the retry class's 1000) */
  retryDelay?: number | undefined;
  /** Retry delay multiplier. @defaultValue the class's `backoff` (then 1) */
  backoff?: number | undefined;
  /**
   * Most attempts per request when retrying is on, the first included (the count bound beside the
   * `timeout` budget). @defaultValue the class's `maxAttempts` (then the retry class's 10)
   */
  maxAttempts?: number | undefined;
  /** Extra CA certificates (PEM path or contents), added to the defaults. @defaultValue settings.caCertsPath */
  caCert?: string | undefined;
  /** Verify TLS certificates. @defaultValue settings.verifySslCert */
  verifySslCert?: boolean | undefined;
  /** Cap on buffered bodies in bytes. @defaultValue settings.maxBufferedBodyBytes */
  maxBufferedBodyBytes?: number | undefined;
  /**
   * Most sockets open at once to the origin; further requests wait for a free one.
   * @defaultValue the class's `maxConnections` (undefined: no cap)
   */
  maxConnections?: number | undefined;
}

/** The option names every connection accepts. */
export const CONNECTION_OPTION_NAMES: ReadonlySet<string> = new Set([
  "secure", "host", "port", "url", "timeout", "proxyUrl", "retryDelay", "backoff", "maxAttempts", "caCert", "verifySslCert",
  "maxBufferedBodyBytes", "maxConnections",
]);

/** Per-call retry settings of `request({ retry })`; each wins over the connection's own. */
export interface RequestRetryOptions {
  /** Most attempts, the first included (`1`: no retry). @defaultValue the connection's `maxAttempts` (10) */
  maxAttempts?: number | undefined;
  /** First delay between attempts in ms; no wait is ever shorter. @defaultValue the connection's `retryDelay` (1000) */
  retryDelay?: number | undefined;
  /** Multiplier applied to the delay after each retry. @defaultValue the connection's `backoff` (1) */
  backoff?: number | undefined;
  /** Time budget for all attempts in ms. @defaultValue the connection's `timeout` */
  timeout?: number | undefined;
  /** Called before each retry's sleep with the failed attempt, its error and the delay. */
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

const RETRY_OPTION_NAMES: ReadonlySet<string> = new Set(["maxAttempts", "retryDelay", "backoff", "timeout", "onRetry"]);

/** Options of `request()`. */
export interface RequestOptions {
  /** Query parameters (object or list of pairs). */
  params?: Params | undefined;
  /** Request body; a function makes a fresh body per attempt. */
  data?: RequestBody;
  /** Extra headers (numbers are converted to strings). */
  headers?: HeaderInput | undefined;
  /** HTTP method. @defaultValue "GET" */
  method?: string | undefined;
  /** Return a `rawResponseCls` with the body unread (uploads and downloads). @defaultValue false */
  raw?: boolean | undefined;
  /** Same as raw: return the body as a stream. @defaultValue false */
  stream?: boolean | undefined;
  /** A value sent as JSON (with `Content-Type: application/json`). */
  json?: unknown;
  /**
   * Retry failed requests; wins over `LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS` and settings.retryFailedHttpRequests.
   * @defaultValue true when `retry` is given, else the variable or the setting (off)
   */
  retryFailed?: boolean | undefined;
  /** Per-call retry settings (count bound, delay, backoff, budget, `onRetry`); giving them turns retrying on unless `retryFailed: false`. */
  retry?: RequestRetryOptions | undefined;
  /** The request may be re-sent after reaching the server. @defaultValue true for GET, HEAD, PUT, DELETE, OPTIONS */
  idempotent?: boolean | undefined;
  /** Cancels the request, its retries and its polling. */
  signal?: AbortSignal | undefined;
}

const REQUEST_OPTION_NAMES: ReadonlySet<string> = new Set([
  "params", "data", "headers", "method", "raw", "stream", "json", "retryFailed", "retry", "idempotent", "signal",
]);
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** Options of `request()` that read the body in full: the result has a parsed `object`. */
export interface BufferedRequestOptions extends RequestOptions {
  raw?: false | undefined;
  stream?: false | undefined;
}

/** Options of `request()` that leave the body unread: the result is the raw response class's. */
export type RawRequestOptions = RequestOptions & ({
  /** A raw response (body left unread). */
  raw: true;
} | {
  /** A streamed response (body left unread). */
  stream: true;
});

/** A response class: `new Cls(httpResponse, connection)`. */
export type ResponseClass<R extends Response = Response> = new (response: HTTPResponse, connection: ResponseConnection) => R;
/** A raw response class: `new Cls(connection, httpResponse)`. */
export type RawResponseClass<R extends RawResponse = RawResponse> = new (connection: ResponseConnection, response: HTTPResponse) => R;

/**
 * What `request<T>()` resolves to on a connection of type `C`: an instance of the connection's
 * response class (the type of its `responseCls` field) whose `object` is a `T`.
 */
export type ResponseOf<C extends Connection, T = unknown> = InstanceType<C["responseCls"]> & {
  /** The parsed body, typed as the caller asked. */
  object: T;
};

/** What `request(action, { raw: true })` resolves to on a connection of type `C`. */
export type RawResponseOf<C extends Connection> = InstanceType<C["rawResponseCls"]>;
/** A retry class: `new Cls({ retryDelay, timeout, backoff, maxAttempts })`. */
export type RetryClass = new (options: RetryOptions) => MinimalRetry;

/** Parses a URL into the connection's fields; only http and https are allowed. */
function isReplayable(data: RequestBody): boolean {
  return data === undefined || data === null || typeof data === "string" || data instanceof Uint8Array || typeof data === "function";
}

/** Hook implementations that read their request only from their `request` argument. */
const scopeFreeHooks = new WeakSet<object>();

/**
 * Declares hook methods of `cls` that read their request only from their `request` argument (never
 * `this.action`, `this.method`, `this.data` or `this.context`), so a connection whose overridden
 * hooks are all such needs no AsyncLocalStorage scope. For the library's own connections. @internal
 */
export function markScopeFree(cls: { prototype: object }, ...names: HookName[]): void {
  for (const name of names) scopeFreeHooks.add((cls.prototype as Record<HookName, object>)[name]);
}

/** The hooks user code may override. */
type HookName = "morphActionHook" | "addDefaultParams" | "addDefaultHeaders" | "encodeData" | "preConnectHook" | "userAgent";

/** Whether `hook`, in place of the base class's, may read this.action and co. */
function scopedHook(hook: object, baseHook: object): boolean {
  return hook !== baseHook && !scopeFreeHooks.has(hook);
}

/**
 * A base connection class to derive from (`libcloud.common.base.Connection`).
 *
 * Class-level configuration is static (`static host = "api.example.com"`); the constructor copies
 * each onto the instance as its effective value, constructor options winning. Hooks are methods;
 * each gets the request being built as its last argument and may return a Promise.
 */
export class Connection {
  /** Default host name (libcloud's `host`); a constructor option wins. */
  static host = "127.0.0.1";
  /** Whether to use https (the default) or plain http. */
  static secure = true;
  /** Default port; undefined for the scheme's (443 or 80). */
  static port: number | undefined = undefined;
  /** Default timeout in milliseconds: connect, response headers and body idle time each. */
  static timeout = 60_000;
  /** The class that parses buffered responses. */
  static responseCls: ResponseClass = Response;
  /** The class for `raw: true` / `stream: true` responses (body left as a stream). */
  static rawResponseCls: RawResponseClass = RawResponse;
  /** The retry policy used when retries are on. */
  static retryCls: RetryClass = Retry;
  /** The transport class connect() makes (`MockHttp` in tests). */
  static connCls: TransportClass = LibcloudConnection;
  /** Add a random `cache-busting` query parameter to GET requests. */
  static cacheBusting = false;
  /** Whether plain http is allowed at all. */
  static allowInsecure = true;
  /** Retry backoff factor; undefined for the retry policy's default. */
  static backoff: number | undefined = undefined;
  /** First retry delay in milliseconds; undefined for the retry policy's default. */
  static retryDelay: number | undefined = undefined;
  /** Most attempts per request when retrying is on (undefined: the retry class's default, 10). */
  static maxAttempts: number | undefined = undefined;
  /** Most sockets open at once to the origin (undefined: no cap). */
  static maxConnections: number | undefined = undefined;
  /** A base URL (`https://host:port/path`) that sets host, port, secure and requestPath at once. */
  static baseUrl: string | undefined = undefined;
  /** Path prefix prepended to every action. */
  static requestPath = "";
  /** Headers holding secrets (X-Auth-Token …), dropped like Authorization when a redirect leaves the origin. */
  static sensitiveHeaders: readonly string[] = [];
  /** The option names the constructor accepts; subclasses that take more extend it. */
  static optionNames: ReadonlySet<string> = CONNECTION_OPTION_NAMES;

  /** The effective host name. */
  host: string;
  /** Whether requests use https. */
  secure: boolean;
  /** The effective port. */
  port: number;
  /** The effective timeout in milliseconds. */
  timeout: number;
  /**
   * The response class of buffered requests (the class's `responseCls`). Its type is what
   * `request()` resolves to: a subclass narrows it with `declare responseCls: typeof MyResponse`.
   */
  responseCls: ResponseClass;
  /** The response class of raw and streamed requests; narrowed like `responseCls`. */
  rawResponseCls: RawResponseClass;
  /** The effective retry policy class. */
  retryCls: RetryClass;
  /** Whether GET requests get a `cache-busting` parameter. */
  cacheBusting: boolean;
  /** Whether plain http is allowed. */
  allowInsecure: boolean;
  /** Retry backoff factor (undefined: the policy's default). */
  backoff: number | undefined;
  /** First retry delay in milliseconds (undefined: the policy's default). */
  retryDelay: number | undefined;
  /** Most attempts per request when retrying is on; undefined for the retry class's default. */
  maxAttempts: number | undefined;
  /** The base URL, if one was given. */
  baseUrl: string | undefined;
  /** Path prefix prepended to every action. */
  requestPath: string;
  /** Extra CA certificate file (PEM), added to Node's default roots. */
  caCert: string | undefined;
  /** Headers dropped on a cross-origin redirect, besides Authorization, Proxy-Authorization and Cookie. */
  sensitiveHeaders: readonly string[];
  /** Verify TLS certificates (undefined: `settings.verifySslCert`, true by default). */
  verifySslCert: boolean | undefined;
  /** Cap on a buffered response body, in decoded bytes (undefined: 100 MiB). */
  maxBufferedBodyBytes: number | undefined;
  /** Most sockets open at once to the origin; undefined for no cap. */
  maxConnections: number | undefined;
  /** Proxy URL: a string, null for none, undefined to read the environment. */
  declare proxyUrl: string | null | undefined;
  /** The driver that owns this connection (set by BaseDriver), else null. */
  declare driver: BaseDriver | null;
  /** User-Agent tokens added with userAgentAppend(). */
  ua: string[] = [];
  /** The transport, null until connect(). */
  connection: Transport | null = null;
  #connCls: TransportClass | undefined;
  #context: Record<string, unknown> = {};
  #last: { action: string | null; method: string | null; data: RequestBody | null } = { action: null, method: null, data: null };
  #closed = false;
  #userAgent: { name: string; tokens: string[]; value: string } | null = null;
  /**
   * The request whose response class is running right now, on a connection whose hooks are the
   * base ones (no async scope: see request()). Set only around synchronous calls.
   */
  #syncRequest: LibcloudRequest | null = null;

  constructor(options: ConnectionOptions = {}) {
    const cls = new.target;
    checkOptionKeys(options, cls.optionNames, cls.name);
    let secure = options.secure ?? cls.secure;
    let host = options.host ?? cls.host;
    let port = options.port ?? cls.port;
    let requestPath = cls.requestPath;
    if (options.url !== undefined) {
      const parsed = parseConnectionUrl(options.url);
      ({ secure, host } = parsed);
      port = options.port ?? parsed.port;
      requestPath = parsed.path;
    }
    if (!secure && !cls.allowInsecure) throw new LibcloudError("Non https connections are not allowed (use secure=True)");
    this.secure = secure;
    this.host = checkHost(host);
    this.port = checkPort(port ?? (secure ? 443 : 80));
    this.requestPath = requestPath;
    this.timeout = checkTimeout(options.timeout ?? cls.timeout);
    const retryDelay = options.retryDelay ?? cls.retryDelay;
    this.retryDelay = retryDelay === undefined ? undefined : checkDuration("retryDelay", retryDelay);
    const backoff = options.backoff ?? cls.backoff;
    this.backoff = backoff === undefined ? undefined : checkBackoff(backoff);
    const maxAttempts = options.maxAttempts ?? cls.maxAttempts;
    this.maxAttempts = maxAttempts === undefined || maxAttempts === Infinity ? maxAttempts : checkCount("maxAttempts", maxAttempts);
    this.responseCls = cls.responseCls;
    this.rawResponseCls = cls.rawResponseCls;
    this.retryCls = cls.retryCls;
    this.cacheBusting = cls.cacheBusting;
    this.allowInsecure = cls.allowInsecure;
    this.baseUrl = cls.baseUrl;
    this.caCert = options.caCert;
    // A bad path (the option, settings.caCertsPath or SSL_CERT_FILE) fails here, not at the first request.
    const caCert = options.caCert ?? settings.caCertsPath;
    if (caCert !== undefined) checkPemSource(caCert, "Certificate");
    this.sensitiveHeaders = cls.sensitiveHeaders;
    this.verifySslCert = options.verifySslCert;
    this.maxBufferedBodyBytes = options.maxBufferedBodyBytes === undefined ? undefined : checkByteCount("maxBufferedBodyBytes", options.maxBufferedBodyBytes);
    const maxConnections = options.maxConnections ?? cls.maxConnections;
    this.maxConnections = maxConnections === undefined ? undefined : checkCount("maxConnections", maxConnections);
    if (options.proxyUrl !== undefined && options.proxyUrl !== null) parseProxyUrl(options.proxyUrl);
    // Non-enumerable: a proxy URL may hold a password, a driver holds credentials.
    Object.defineProperty(this, "proxyUrl", { value: options.proxyUrl, writable: true, enumerable: false, configurable: true });
    Object.defineProperty(this, "driver", { value: null, writable: true, enumerable: false, configurable: true });
  }

  /** The transport class used by connect(): the instance's if set, else the class's `connCls`. */
  get connCls(): TransportClass {
    return this.#connCls ?? (this.constructor as typeof Connection).connCls;
  }
  /** Sets the transport class for this connection only. */
  set connCls(value: TransportClass) {
    this.#connCls = value;
  }

  /** The request in flight for the code running now: a response class's (sync window) or the async scope's. */
  #current(): LibcloudRequest | undefined {
    return this.#syncRequest ?? currentRequest(this);
  }

  /**
   * Whether a hook is overridden (on the class or the instance) by code that may read this.action
   * and co.: only then can user code run asynchronously inside a request and read them after an
   * await, which needs the AsyncLocalStorage scope. Without it the scope is skipped, since in Node
   * 20 an active scope puts async hooks on every promise and callback of the process (~5 µs per
   * request at 16 in flight). The library's own signers read their request from their argument
   * only ({@link markScopeFree}); a subclass that overrides one of them again is scoped as usual.
   */
  #needsScope(): boolean {
    // Named reads, not a loop over the names: keyed reads of `this` are megamorphic, and this runs per request.
    /* eslint-disable @typescript-eslint/unbound-method -- the methods are compared, never called */
    const base = Connection.prototype;
    return scopedHook(this.morphActionHook, base.morphActionHook) || scopedHook(this.addDefaultParams, base.addDefaultParams)
      || scopedHook(this.addDefaultHeaders, base.addDefaultHeaders) || scopedHook(this.encodeData, base.encodeData)
      || scopedHook(this.preConnectHook, base.preConnectHook) || scopedHook(this.userAgent, base.userAgent);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  /** The action of the request in flight (in hooks and response classes), else of the last one. */
  get action(): string | null {
    return this.#current()?.action ?? this.#last.action;
  }
  /** Sets the action of the request in flight, else of the last one. */
  set action(value: string | null) {
    const request = this.#current();
    if (request) request.action = value ?? "";
    else this.#last.action = value;
  }

  /** The method of the request in flight, else of the last one. */
  get method(): string | null {
    return this.#current()?.method ?? this.#last.method;
  }
  /** Sets the method of the request in flight, else of the last one. */
  set method(value: string | null) {
    const request = this.#current();
    if (request) request.method = value ?? "GET";
    else this.#last.method = value;
  }

  /** The body of the request in flight, else of the last one. */
  get data(): RequestBody | null {
    const request = this.#current();
    return request ? request.data ?? null : this.#last.data;
  }
  /** Sets the body of the request in flight, else of the last one. */
  set data(value: RequestBody | null) {
    const request = this.#current();
    if (request) request.data = value;
    else this.#last.data = value;
  }

  /** The context of the request in flight; outside a request, the context the next request takes. */
  get context(): Record<string, unknown> {
    return this.#current()?.context ?? this.#context;
  }
  /** Sets the context of the request in flight, else the one the next request takes. */
  set context(value: Record<string, unknown>) {
    const request = this.#current();
    if (request) request.context = value;
    else this.#context = value;
  }

  /** Sets the context for the next request (reset to {} once it has finished). */
  setContext(context: Record<string, unknown>): void {
    if (typeof context !== "object" || context === null || Array.isArray(context)) {
      throw new TypeError(`Context needs to be a dictionary (object), got ${context === null ? "null" : Array.isArray(context) ? "an array" : typeof context}`);
    }
    this.context = context;
  }

  /** Resets the context to {}. */
  resetContext(): void {
    this.#context = {};
  }

  /** Adds a token to the User-Agent, so providers can tell your requests apart. */
  userAgentAppend(token: string): void {
    this.ua.push(token);
  }

  /** The User-Agent: `libcloud-ts/<version> (<driver name>) (<token>) …`. */
  userAgent(): string {
    const name = typeof this.driver?.name === "string" ? this.driver.name : "";
    const cached = this.#userAgent;
    // Built once per driver name and token list, not per request.
    if (cached !== null && cached.name === name && sameTokens(cached.tokens, this.ua)) return cached.value;
    const value = `libcloud-ts/${VERSION}${name === "" ? "" : ` (${name})`}${this.ua.map((t) => ` (${t})`).join("")}`;
    this.#userAgent = { name, tokens: [...this.ua], value };
    return value;
  }

  /** The options handed to the transport class (subclasses add client certificates). */
  protected transportOptions(): TransportOptions {
    return {
      host: this.host,
      port: this.port,
      secure: this.secure,
      timeout: this.timeout,
      proxyUrl: this.proxyUrl,
      caCert: this.caCert,
      verifySslCert: this.verifySslCert,
      maxBufferedBodyBytes: this.maxBufferedBodyBytes,
      maxConnections: this.maxConnections,
      connectionClassName: this.constructor.name,
    };
  }

  /**
   * Makes the transport (`this.connection`). A `baseUrl` (argument or class's) wins over host and port.
   */
  connect(options: { host?: string; port?: number; baseUrl?: string } = {}): Transport {
    checkOptionKeys(options, new Set(["host", "port", "baseUrl"]), `${this.constructor.name}.connect`);
    let secure = this.secure;
    let host = options.host === undefined ? this.host : checkHost(options.host);
    let port = options.port === undefined ? this.port : checkPort(options.port);
    const baseUrl = options.baseUrl ?? this.baseUrl;
    if (baseUrl !== undefined) ({ secure, host, port } = parseConnectionUrl(baseUrl));
    const previous = this.connection;
    const Transport = this.connCls;
    this.connection = new Transport({ ...this.transportOptions(), host, port, secure });
    this.#closed = false;
    if (previous !== null && previous !== this.connection) void previous.close().catch(() => {});
    return this.connection;
  }

  /** Routes this connection's requests through an HTTP or HTTPS proxy. */
  setHttpProxy(proxyUrl: string): void {
    parseProxyUrl(proxyUrl);
    this.proxyUrl = proxyUrl;
    this.connection?.setHttpProxy(proxyUrl);
  }

  /** Closes the transport; later requests fail with ClientClosedError until connect() is called. */
  async close(): Promise<void> {
    this.#closed = true;
    const transport = this.connection;
    if (transport !== null) await transport.close();
  }

  // ---- hooks (override in a provider's subclass) -------------------------------------------

  /** Joins `requestPath` and the action (see `settings.allowPathDoubleSlashes`). */
  morphActionHook(action: string, _request?: LibcloudRequest): string | Promise<string> {
    return joinActionPath(this.requestPath, action, settings.allowPathDoubleSlashes);
  }

  /** Adds default parameters (API key, version …). Returns the params. */
  addDefaultParams(params: Params, _request?: LibcloudRequest): Params | Promise<Params> {
    return params;
  }

  /** Adds default headers (Authorization, X-Foo …). Returns the headers. */
  addDefaultHeaders(headers: Record<string, string>, _request?: LibcloudRequest): Record<string, string> | Promise<Record<string, string>> {
    return headers;
  }

  /** Encodes the body. Returns it unchanged by default. */
  encodeData(data: RequestBody, _request?: LibcloudRequest): RequestBody | Promise<RequestBody> {
    return data;
  }

  /** The last word before sending: request signing lives here. Returns [params, headers]. */
  preConnectHook(params: Params, headers: Record<string, string>, _request?: LibcloudRequest):
    [Params, Record<string, string>] | Promise<[Params, Record<string, string>]> {
    return [params, headers];
  }

  /**
   * Requests an action (a path) and returns the response class's instance.
   *
   * 1. Copies params and headers (the caller's objects are never changed).
   * 2. `action = morphActionHook(action)`.
   * 3. `params = addDefaultParams(params)`; cache busting on GET when `cacheBusting`.
   * 4. `headers = addDefaultHeaders(headers)`, then User-Agent, Accept-Encoding and Host.
   * 5. `data = encodeData(data)`; `json` is encoded with its content type.
   * 6. `[params, headers] = preConnectHook(params, headers)` (signing).
   * 7. The query string is appended (with `&` when the action has a `?`).
   * 8. Sent (through `retryCls` when retrying is on) and turned into a response.
   * 9. The context is this request's own, and reset to {} for the next one.
   *
   * Resolves to the response class's instance with `object: T` (`T` is `unknown` unless given:
   * the caller states the body's shape), or, with `raw` or `stream`, to the raw response class's
   * instance (no `object`; read it with `iterContent()`).
   */
  request<T = unknown>(action: string, options?: BufferedRequestOptions): Promise<ResponseOf<this, T>>;
  request(action: string, options: RawRequestOptions): Promise<RawResponseOf<this>>;
  request<T = unknown>(action: string, options?: RequestOptions): Promise<ResponseOf<this, T> | RawResponseOf<this>>;
  async request(action: string, options: RequestOptions = {}): Promise<Response | RawResponse> {
    checkOptionKeys(options, REQUEST_OPTION_NAMES, `${this.constructor.name}.request`);
    checkOptionKeys(options.retry, RETRY_OPTION_NAMES, `${this.constructor.name}.request({ retry })`);
    if (typeof action !== "string") throw new TypeError(`action must be a string, got ${typeof action}`);
    const method = normalizeMethod(options.method ?? "GET");
    const request: LibcloudRequest = new RequestRecord(this, {
      action,
      method,
      params: copyParams(options.params),
      headers: copyHeaders(options.headers) as Record<string, string>,
      data: options.data,
      raw: options.raw ?? false,
      stream: options.stream ?? false,
      context: this.#context,
      idempotent: options.idempotent ?? IDEMPOTENT_METHODS.has(method),
      signal: options.signal,
      url: "",
    });
    this.#context = {};
    try {
      if (this.#needsScope()) return await requestScope.run({ connection: this, request }, () => this.#perform(request, options, true));
      return await this.#perform(request, options, false);
    } catch (error) {
      // Once per failed request: what the error shows follows the redaction rule.
      throw sanitizeError(error, this, request);
    } finally {
      this.#last = { action: request.action, method: request.method, data: request.data ?? null };
    }
  }

  async #perform(request: LibcloudRequest, options: RequestOptions, scoped: boolean): Promise<Response | RawResponse> {
    const { signal } = request;
    if (signal?.aborted) throw abortReason(signal);
    if (this.#closed) {
      throw new ClientClosedError(`Connection closed: ${request.method} ${formatOrigin(this.secure, this.host, this.port)}`, {
        code: "ERR_CLIENT_CLOSED", host: formatOrigin(this.secure, this.host, this.port), method: request.method, requestSent: false,
      });
    }
    // A hook's result is awaited only when it is a promise: each await of a plain value costs a
    // promise and a microtask turn, and (AsyncLocalStorage being on) a promise-hook call.
    const action = this.morphActionHook(request.action, request);
    request.action = action instanceof Promise ? await action : action;
    const params = this.addDefaultParams(request.params, request);
    request.params = params instanceof Promise ? await params : params;
    if (this.cacheBusting && request.method === "GET") request.params = addCacheBusting(request.params);
    const defaultHeaders = this.addDefaultHeaders(request.headers, request);
    request.headers = defaultHeaders instanceof Promise ? await defaultHeaders : defaultHeaders;
    const transport = this.connection ?? this.connect();
    addStandardHeaders(request.headers, this.userAgent(), hostHeader(transport));
    if (options.json !== undefined) {
      request.data = JSON.stringify(options.json);
      if (!hasHeader(request.headers, "content-type")) setHeader(request.headers, "Content-Type", "application/json");
    }
    if (request.data !== undefined && request.data !== null && request.data !== "") {
      const encoded = this.encodeData(request.data, request);
      request.data = encoded instanceof Promise ? await encoded : encoded;
    }
    addRequestIdHeader(request.headers); // debug log only (X-Libcloud-Request-Id), before signing
    const signed = this.preConnectHook(request.params, request.headers, request);
    [request.params, request.headers] = signed instanceof Promise ? await signed : signed;
    const headers = normalizeHeaders(request.headers);
    const query = encodeQuery(request.params);
    const target = query === "" ? request.action : `${request.action}${request.action.includes("?") ? "&" : "?"}${query}`;
    request.url = encodeRequestTarget(target.startsWith("/") ? target : `/${target}`);
    const perCall = options.retry;
    const retrying = options.retryFailed ?? (perCall !== undefined ? true : undefined);
    if (retrying === false) return await this.#send(transport, request, headers, scoped, 1);
    if (retrying === undefined) {
      // The module-wide switch (LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS, then settings) decides only
      // whether a failed attempt is tried again, so it is read when the first attempt fails: a
      // request that succeeds never pays for the environment lookup (a few µs in a 1 KB GET). The
      // time the first attempt took counts against the retry budget, as if retrying had begun with it.
      const clock = getClock();
      const startedAt = clock.now();
      try {
        return await this.#send(transport, request, headers, scoped, 1);
      } catch (error) {
        if (!retryFailedByDefault()) throw error;
        return await this.#retry(transport, request, headers, scoped, undefined, { error, elapsedMs: clock.now() - startedAt });
      }
    }
    return await this.#retry(transport, request, headers, scoped, perCall, undefined);
  }

  /**
   * Sends a request through `retryCls`; `first` is an attempt already made and failed (its error is
   * the first attempt's outcome, its time counted against the budget).
   */
  #retry(
    transport: Transport, request: LibcloudRequest, headers: Record<string, string>, scoped: boolean,
    perCall: RequestRetryOptions | undefined, first: { error: unknown; elapsedMs: number } | undefined,
  ): Promise<Response | RawResponse> {
    let attempt = 0;
    const send = (): Promise<Response | RawResponse> => {
      attempt++;
      if (attempt === 1 && first !== undefined) return Promise.reject(first.error);
      return this.#send(transport, request, headers, scoped, attempt);
    };
    const userOnRetry = perCall?.onRetry;
    const onRetry = (info: RetryInfo): void => {
      // An error leaves the library only once the redaction rule has been applied to it.
      if (channels.retry.hasSubscribers || userOnRetry !== undefined) sanitizeError(info.error, this, request);
      if (channels.retry.hasSubscribers) {
        channels.retry.publish({ ...this.#event(transport, request, info.attempt), error: info.error, status: statusOf(info.error), delayMs: info.delayMs });
      }
      userOnRetry?.(info);
    };
    const retry = new this.retryCls({
      retryDelay: perCall?.retryDelay ?? this.retryDelay,
      timeout: perCall?.timeout ?? this.timeout,
      backoff: perCall?.backoff ?? this.backoff,
      maxAttempts: perCall?.maxAttempts ?? this.maxAttempts,
    });
    return retry.wrap(send, {
      signal: request.signal, idempotent: request.idempotent, replayable: isReplayable(request.data), onRetry, elapsedMs: first?.elapsedMs,
    })();
  }

  /** The fields of a diagnostics event for an attempt of `request`. */
  #event(transport: Transport, request: LibcloudRequest, attempt: number): RequestEvent {
    return baseEvent(request, this, request.method, `${transport.host}${request.url}`, attempt);
  }

  /** Sends one attempt; with a diagnostics subscriber, publishes its start and its response or error. */
  #send(transport: Transport, request: LibcloudRequest, headers: Record<string, string>, scoped: boolean, attempt: number): Promise<Response | RawResponse> {
    if (!tracingAttempts()) return this.#sendOnce(transport, request, headers, scoped);
    return this.#sendTraced(transport, request, headers, scoped, attempt);
  }

  async #sendTraced(transport: Transport, request: LibcloudRequest, headers: Record<string, string>, scoped: boolean, attempt: number): Promise<Response | RawResponse> {
    const event = this.#event(transport, request, attempt);
    if (channels.start.hasSubscribers) channels.start.publish(event);
    const started = performance.now();
    try {
      const response = await this.#sendOnce(transport, request, headers, scoped);
      if (channels.response.hasSubscribers) {
        channels.response.publish({ ...event, status: (response as { status: number }).status, durationMs: performance.now() - started });
      }
      return response;
    } catch (error) {
      if (channels.error.hasSubscribers) {
        channels.error.publish({ ...event, error: sanitizeError(error, this, request), status: statusOf(error), durationMs: performance.now() - started });
      }
      throw error;
    }
  }

  async #sendOnce(transport: Transport, request: LibcloudRequest, headers: Record<string, string>, scoped: boolean): Promise<Response | RawResponse> {
    const body = typeof request.data === "function" ? request.data() : request.data;
    // observeExchange is transport.request unless the debug log or a recorder is on.
    const httpResponse = await observeExchange(this, transport, {
      method: request.method,
      url: request.url,
      headers,
      body: body === "" ? undefined : body,
      raw: request.raw,
      stream: request.stream,
      signal: request.signal,
      sensitiveHeaders: this.sensitiveHeaders,
      idempotent: request.idempotent,
    });
    if (request.raw || request.stream) {
      const response = this.#inWindow(request, scoped, () => new this.rawResponseCls(this, httpResponse));
      response.request = request;
      if (!this.#inWindow(request, scoped, () => response.success())) {
        await response.readErrorBody();
        throw this.#inWindow(request, scoped, () => errorForResponse(response, response.errorBody));
      }
      return response;
    }
    return this.#inWindow(request, scoped, () => {
      // The constructor throws the status's error or a MalformedResponseError, as libcloud's does.
      const response = buildResponse(request, () => new this.responseCls(httpResponse, this));
      response.request = request;
      void response.object; // an empty body is parsed now too, so parseZeroLengthBody fails the request (and can be retried)
      return response;
    });
  }

  /** Runs response-class code with `request` as this.action & co. when there is no async scope. */
  #inWindow<T>(request: LibcloudRequest, scoped: boolean, fn: () => T): T {
    if (scoped) return fn();
    const previous = this.#syncRequest;
    this.#syncRequest = request;
    try {
      return fn();
    } finally {
      this.#syncRequest = previous;
    }
  }

  /** A summary that never includes credentials. */
  [inspect.custom](): string {
    return `${this.constructor.name} { host: ${JSON.stringify(this.host)}, port: ${this.port}, secure: ${this.secure} }`;
  }

  /** A summary that never includes credentials. */
  toJSON(): Record<string, unknown> {
    return { class: this.constructor.name, host: this.host, port: this.port, secure: this.secure, requestPath: this.requestPath };
  }
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const hostHeaders = new WeakMap<Transport, string>();

/** The Host header for a transport: its origin without the scheme. */
function hostHeader(transport: Transport): string {
  let value = hostHeaders.get(transport);
  if (value === undefined || !transport.host.endsWith(value)) {
    value = transport.host.replace(/^[a-z]+:\/\//, "");
    hostHeaders.set(transport, value);
  }
  return value;
}

/**
 * Step 4's own headers in one pass over the names: User-Agent and Host replace any given in another
 * case; Accept-Encoding is added unless the driver asked for another (identity, to get stored bytes
 * as they are).
 */
function addStandardHeaders(headers: Record<string, string>, userAgent: string, host: string): void {
  let acceptEncoding = false;
  for (const key of Object.keys(headers)) {
    const lower = key.length === 4 || key.length === 10 || key.length === 15 ? key.toLowerCase() : "";
    if (lower === "user-agent" && key !== "User-Agent" || lower === "host" && key !== "Host") delete headers[key];
    else if (lower === "accept-encoding" && headers[key] !== undefined) acceptEncoding = true;
  }
  headers["User-Agent"] = userAgent;
  if (!acceptEncoding) headers["Accept-Encoding"] = "gzip,deflate";
  headers["Host"] = host;
}
