// Port of libcloud/test/__init__.py: MockHttp — a transport for driver tests that routes each
// request to a method named after the URL path, so the whole pipeline above it (hooks, signing,
// retry, response classes) runs unchanged.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import { inspect, type InspectOptionsStylized } from "node:util";
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { HTTPResponse, bufferedReadLimit } from "../http/http-response.js";
import { headerValue, type HeaderMap } from "../common/exceptions.js";
import { settings } from "../common/settings.js";
import { DecompressionError, LibcloudError, ResponseTooLargeError } from "../common/types.js";
import { DecodeFailure, acceptedCodings, parseContentCodings } from "../http/decode.js";
import { formatOrigin, type Transport, type TransportOptions, type TransportRequest } from "../http/libcloud-connection.js";
import type { FileFixtures } from "./file-fixtures.js";
import { inspectView, showTransport, type InspectFunction } from "../utils/show.js";

/** A mock method's answer: `[status, body, headers, reason]` (body, headers and reason optional). */
export type MockResponse = readonly [status: number, body?: string | Uint8Array | null, headers?: Readonly<Record<string, string | number>>, reason?: string];

/** A mock method: `(method, url, body, headers)` → `[status, body, headers, reason]`, maybe async. */
export type MockMethod = (method: string, url: string, body: string | Buffer | null, headers: Readonly<Record<string, string>>) => MockResponse | Promise<MockResponse>;

/** The request as a mock method sees it, kept in {@link MockHttp.requests}. */
export interface MockRequest {
  /** The HTTP method. */
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The mock method that answered. */
  methodName: string;
  /** The request headers, as sent. */
  headers: Readonly<Record<string, string>>;
  /** The body as bytes were sent (streams are read whole first); null when there was none. */
  body: string | Buffer | null;
}

/** Thrown when no mock method matches a request: names the method looked for and the ones known. */
export class MockHttpError extends LibcloudError {
  /** The class name, `"MockHttpError"`. */
  override readonly name: string = "MockHttpError";
  /** The method name that was looked up. */
  readonly methodName: string;
  /** The mock methods the class defines. */
  readonly known: readonly string[];

  constructor(message: string, methodName: string, known: readonly string[]) {
    super(message);
    this.methodName = methodName;
    this.known = known;
  }
}

const REASONS: Readonly<Record<number, string>> = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content", 301: "Moved Permanently",
  302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 400: "Bad Request", 401: "Unauthorized",
  403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 412: "Precondition Failed",
  413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase of a status (`httplib.responses`), "" when unknown. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "";
}

/** A parsed query string as libcloud's `parse_qs` gives it: each name with its values, in order. */
export type MockQuery = Readonly<Record<string, readonly string[]>>;

/** Splits a request target into its path (no trailing `/`, no fragment) and its parsed query. */
function splitTarget(url: string): { path: string; qs: MockQuery } {
  const q = url.indexOf("?");
  let path = q < 0 ? url : url.slice(0, q);
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.slice(0, hash);
  if (path.endsWith("/")) path = path.slice(0, -1);
  const qs: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of new URLSearchParams(q < 0 ? "" : url.slice(q + 1))) (qs[k] ??= []).push(v);
  return { path, qs };
}

/** libcloud's `BaseMockHttpObject._get_method_name` on an already split target. */
function defaultMethodName(type: string | null | undefined, useParam: string | null | undefined, qs: MockQuery, path: string): string {
  let name = path.replace(/[/.-]/g, "_").replace(/~/g, "%7E");
  if (type) name = `${name}_${type}`;
  if (useParam) {
    const value = qs[useParam]?.[0];
    if (value !== undefined) name = `${name}_${value.replace(/[.-]/g, "_")}`;
  }
  if (name === "") name = "root";
  return name.replace(/%/g, "_");
}

/**
 * The mock method name for a request, exactly as libcloud's `MockHttp._get_method_name`: the path
 * without its trailing `/`, with `/`, `.`, `-` (and `%`) as `_`; `_<type>` when a type is set;
 * `_<value>` of the `useParam` query parameter when present; `root` for an empty name. (A subclass
 * changes the rule for its requests by overriding {@link MockHttp.getMethodName}.)
 */
export function mockMethodName(url: string, type: string | null | undefined, useParam: string | null | undefined): string {
  const { path, qs } = splitTarget(url);
  return defaultMethodName(type, useParam, qs, path);
}

/**
 * Answers requests no mock method matches from fixture files (libcloud's `__getattr__` catch-all in
 * its Azure Blobs mock): the method name plus `.<extension>`, loaded from `fixtures`.
 */
export interface MockCatchAll {
  /** Where `<name>.<extension>` is looked up. */
  readonly fixtures: FileFixtures;
  /** The fixture's extension, without the dot. @defaultValue "json" */
  readonly extension?: string | undefined;
  /** The status answered. @defaultValue 200 */
  readonly status?: number | undefined;
  /** The headers answered. @defaultValue a Content-Type that follows the extension */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  json: "application/json", xml: "application/xml", txt: "text/plain", html: "text/html", bin: "application/octet-stream",
};

interface History {
  visitedUrls: string[];
  executedMockMethods: string[];
  requests: MockRequest[];
}

const histories = new WeakMap<object, History>();

function historyOf(cls: object): History {
  let h = histories.get(cls);
  if (h === undefined) {
    h = { visitedUrls: [], executedMockMethods: [], requests: [] };
    histories.set(cls, h);
  }
  return h;
}

/**
 * A mock method that answers with each response in turn (a job that is `running`, then `done`).
 * Once they are used up it fails, naming the path, so a test never passes on a stale answer.
 */
export function sequence(...responses: MockResponse[]): MockMethod {
  const state = { responses, next: 0 };
  const fn: MockMethod = (method, url) => {
    const r = state.responses[state.next];
    if (r === undefined) throw new Error(`MockHttp sequence exhausted: ${method} ${url} was answered ${state.responses.length} times already`);
    state.next += 1;
    return r;
  };
  return fn;
}

const BASE_NAMES = new Set([
  "constructor", "request", "setHttpProxy", "close", "dispatch", "knownMethods", "host", "replay", "getMethodName", "unknownMethod",
]);

interface Declared {
  type: { own: boolean; value: string | null };
  useParam: { own: boolean; value: string | null };
}

/** What a class declared for `type` and `useParam`, captured the first time the class is used. */
const declaredValues = new WeakMap<object, Declared>();

function declared(cls: typeof MockHttp): Declared {
  let d = declaredValues.get(cls);
  if (d === undefined) {
    const own = (name: "type" | "useParam"): boolean => Object.prototype.hasOwnProperty.call(cls, name);
    d = { type: { own: own("type"), value: cls.type }, useParam: { own: own("useParam"), value: cls.useParam } };
    declaredValues.set(cls, d);
  }
  return d;
}

/**
 * A transport for driver tests (`libcloud.test.MockHttp`). Subclass it and define one method per
 * path: `/v1/jobs/42` → `_v1_jobs_42(method, url, body, headers)` returning
 * `[status, body, headers, reason]`. Swap it in with `MyConnection.connCls = MyMockHttp` (or
 * `conn.connCls = MyMockHttp` before the first request).
 *
 * A method may also be an array of responses, answered in order (see {@link sequence}).
 */
export class MockHttp implements Transport {
  /** Suffix `_<type>` on every method name (change it between requests to vary answers). @defaultValue null */
  static type: string | null = null;
  /** A query parameter whose value suffixes the method name (`?action=List` → `_List`). @defaultValue null */
  static useParam: string | null = null;

  /** The origin, `scheme://host[:port]`. */
  readonly host: string;
  /** The options the connection built this transport with (certificates, proxy …). */
  readonly options: TransportOptions;
  /** The proxy URL in use (from the options or setHttpProxy). */
  proxyUrl: string | null | undefined;
  /** Set by close(). */
  closed = false;

  constructor(options: TransportOptions) {
    this.options = options;
    // Non-enumerable: the options may hold a key passphrase or a proxy password (H16).
    Object.defineProperty(this, "options", { enumerable: false });
    this.host = formatOrigin(options.secure, options.host, options.port);
    Object.defineProperty(this, "proxyUrl", { value: options.proxyUrl, writable: true, enumerable: false });
  }

  /**
   * Answers requests no mock method matches from fixture files, as libcloud's Azure Blobs mock does
   * with `__getattr__` (see {@link MockCatchAll}); null: such a request fails with MockHttpError.
   * @defaultValue null
   */
  static catchAll: MockCatchAll | null = null;

  /** URLs requested through this class (path and query), in order. */
  static get visitedUrls(): string[] {
    declared(this);
    return historyOf(this).visitedUrls;
  }

  /** Mock method names executed through this class, in order. */
  static get executedMockMethods(): string[] {
    declared(this);
    return historyOf(this).executedMockMethods;
  }

  /** Every request answered through this class, in order. */
  static get requests(): MockRequest[] {
    declared(this);
    return historyOf(this).requests;
  }

  /**
   * Clears the history and puts `type` and `useParam` back to what the class declared (captured the
   * first time the class is used: call reset() in beforeEach, before a test changes them).
   */
  static reset(): void {
    const d = declared(this);
    histories.delete(this);
    for (const name of ["type", "useParam"] as const) {
      if (d[name].own) this[name] = d[name].value;
      else if (Object.prototype.hasOwnProperty.call(this, name)) delete (this as { type?: string | null; useParam?: string | null })[name];
    }
  }

  /**
   * The mock method name for a request (libcloud's `_get_method_name(type, use_param, qs, path)`):
   * override it to route by another rule, as libcloud's Azurite mock strips the account from the path.
   * `path` has no query and no trailing `/`; `qs` maps each query parameter to its values. A `%` in
   * the result becomes `_`, as libcloud does before looking the method up.
   */
  getMethodName(type: string | null, useParam: string | null, qs: MockQuery, path: string): string {
    return defaultMethodName(type, useParam, qs, path);
  }

  /**
   * Answers a request no mock method matches; undefined makes it fail with MockHttpError. By default
   * it loads `<name>.<extension>` through the class's {@link MockHttp.catchAll} when that is set and
   * the file exists. Override it for a catch-all of your own.
   */
  unknownMethod(name: string, _method: string, _url: string, _body: string | Buffer | null, _headers: Readonly<Record<string, string>>):
    MockResponse | Promise<MockResponse> | undefined {
    const catchAll = (this.constructor as typeof MockHttp).catchAll;
    if (catchAll === null) return undefined;
    const extension = catchAll.extension ?? "json";
    const file = `${name}.${extension}`;
    if (!existsSync(catchAll.fixtures.path(file))) return undefined;
    const headers = catchAll.headers ?? { "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream" };
    return [catchAll.status ?? 200, catchAll.fixtures.loadBytes(file), headers];
  }

  /** The mock method names this class defines. */
  knownMethods(): string[] {
    const names = new Set<string>();
    for (const key of Object.keys(this)) if (isMockMember((this as unknown as Record<string, unknown>)[key])) names.add(key);
    let proto = Object.getPrototypeOf(this) as object | null;
    while (proto !== null && proto !== MockHttp.prototype && proto !== Object.prototype) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (BASE_NAMES.has(key) || key.startsWith("#")) continue;
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (d !== undefined && "value" in d && isMockMember(d.value)) names.add(key);
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    return [...names].sort();
  }

  /** Routes a request to its mock method (the Transport interface). */
  async request(request: TransportRequest): Promise<HTTPResponse> {
    if (this.closed) throw new Error(`MockHttp: request after close(): ${request.method} ${request.url}`);
    const cls = this.constructor as typeof MockHttp;
    declared(cls);
    const { path, qs } = splitTarget(request.url);
    const name = this.getMethodName(cls.type, cls.useParam, qs, path).replace(/%/g, "_");
    const member = (this as unknown as Record<string, unknown>)[name];
    const isMember = isMockMember(member) && !(BASE_NAMES.has(name) && !Object.prototype.hasOwnProperty.call(this, name));
    const body = await readBody(request.body);
    const fallback = isMember ? undefined : this.unknownMethod(name, request.method, request.url, body, request.headers);
    if (!isMember && fallback === undefined) {
      const known = this.knownMethods();
      const catchAll = cls.catchAll === null ? "" : ` (catch-all: no fixture ${cls.catchAll.fixtures.root}/${name}.${cls.catchAll.extension ?? "json"})`;
      throw new MockHttpError(
        `${cls.name}: no mock method "${name}" for ${request.method} ${request.url}` +
        `${cls.type ? ` (type ${JSON.stringify(cls.type)})` : ""}${cls.useParam ? ` (useParam ${JSON.stringify(cls.useParam)})` : ""}${catchAll}; ` +
        `known: ${known.length === 0 ? "(none)" : known.join(", ")}`,
        name, known,
      );
    }
    const history = historyOf(cls);
    history.visitedUrls.push(request.url);
    history.executedMockMethods.push(name);
    history.requests.push({ method: request.method, url: request.url, methodName: name, headers: request.headers, body });
    const answer = isMember ? await this.dispatch(name, member as MockMethod | readonly MockResponse[], request, body) : await fallback!;
    return toHttpResponse(answer, request, `${cls.name}.${name}`, this.host, this.options.maxBufferedBodyBytes ?? settings.maxBufferedBodyBytes);
  }

  /** Calls a mock member: a method, or the next of an array of responses. @internal */
  protected async dispatch(name: string, member: MockMethod | readonly MockResponse[], request: TransportRequest, body: string | Buffer | null): Promise<MockResponse> {
    if (typeof member === "function") return member.call(this, request.method, request.url, body, request.headers);
    const counters = ((this as unknown as { __sequenceCounters?: Map<string, number> }).__sequenceCounters ??= new Map<string, number>());
    const i = counters.get(name) ?? 0;
    const r = member[i];
    if (r === undefined) throw new Error(`MockHttp: responses for "${name}" exhausted after ${member.length}: ${request.method} ${request.url}`);
    counters.set(name, i + 1);
    return r;
  }

  /** Records the proxy (MockHttp sends nothing anywhere). */
  /** Shown without credentials: never its options' key, passphrase or proxy password (H16). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials (H16). */
  toJSON(): Record<string, unknown> {
    return showTransport(this);
  }

  setHttpProxy(url: string | null): void {
    this.proxyUrl = url;
  }

  /** Marks the transport closed: a later request fails. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

function isMockMember(value: unknown): boolean {
  return typeof value === "function" || (Array.isArray(value) && value.every((r) => Array.isArray(r) && typeof r[0] === "number"));
}

async function readBody(body: TransportRequest["body"]): Promise<string | Buffer | null> {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function toHttpResponse(answer: MockResponse, request: TransportRequest, where: string, origin: string, limit: number): HTTPResponse {
  if (!Array.isArray(answer) || typeof answer[0] !== "number") {
    throw new TypeError(`${where} must return [status, body, headers, reason], got ${typeof answer}`);
  }
  const [status, rawBody, rawHeaders = {}, reason] = answer;
  const headers: HeaderMap = Object.create(null) as HeaderMap;
  const list: string[] = [];
  for (const [k, v] of Object.entries(rawHeaders)) {
    headers[k.toLowerCase()] = String(v);
    list.push(k, String(v));
  }
  let bytes: Buffer = rawBody === undefined || rawBody === null ? Buffer.alloc(0) : typeof rawBody === "string" ? Buffer.from(rawBody) : Buffer.from(rawBody);
  const init = { status, reason: reason ?? reasonPhrase(status), headers, rawHeaders: list };
  if (request.method === "HEAD" || status === 204 || status === 304) return new HTTPResponse({ ...init, body: null });
  bytes = decodeAsTransport(bytes, headers["content-encoding"], request, origin);
  if (request.raw === true || request.stream === true) {
    // Reading a raw body whole (RawResponse.body()) has the buffered cap, as from the transport (H7).
    return new HTTPResponse({ ...init, body: Readable.from(chunked(bytes), { objectMode: false }), bodyLimit: bufferedReadLimit(limit, request.method, origin) });
  }
  // The transport's cap on buffered bodies (decoded bytes), with its error.
  if (bytes.length > limit) {
    throw new ResponseTooLargeError(
      `Response body over the ${limit}-byte limit for buffered responses (got ${bytes.length} bytes decoded; use raw/stream requests for large bodies): ${request.method} ${origin}`,
      { code: "ERR_RESPONSE_TOO_LARGE", host: origin, method: request.method, limit },
    );
  }
  return new HTTPResponse({ ...init, body: bytes });
}

/**
 * Undoes the body's content codings by the real transport's rule (H16): only the codings the request
 * accepted (a request without Accept-Encoding accepts all; `identity` none), an unknown coding leaves
 * the body as sent, and too many codings or bad data fail with DecompressionError.
 */
function decodeAsTransport(bytes: Buffer, contentEncoding: string | undefined, request: TransportRequest, origin: string): Buffer {
  try {
    const codings = parseContentCodings(contentEncoding) ?? [];
    if (!acceptedCodings(codings, headerValue(request.headers, "accept-encoding"))) return bytes;
    for (const coding of [...codings].reverse()) {
      if (coding === "gzip" || coding === "x-gzip") bytes = gunzipSync(bytes);
      else if (coding === "deflate") bytes = bytes.length > 0 && (bytes[0]! & 0x0f) === 0x08 ? inflateSync(bytes) : inflateRawSync(bytes);
      else bytes = brotliDecompressSync(bytes);
    }
    return bytes;
  } catch (error) {
    const zlibCode = (error as { code?: unknown }).code;
    const code = error instanceof DecodeFailure ? error.code : typeof zlibCode === "string" ? zlibCode : "Z_DATA_ERROR";
    throw new DecompressionError(`Could not decode the response body (${(error as Error).message}): ${request.method} ${origin}`, {
      code, host: origin, method: request.method, cause: error,
    });
  }
}

function* chunked(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
}

/**
 * Asserts that `url` carries each expected query parameter with its value (libcloud's
 * `assertUrlContainsQueryParams`); with `strict`, no other parameters either.
 */
export function assertUrlContainsQueryParams(url: string, expected: Readonly<Record<string, string | number | boolean | readonly string[]>>, strict = false): void {
  const q = url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  const actual: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    actual[key] = all.length === 1 ? all[0]! : all;
  }
  const want: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(expected)) want[k] = Array.isArray(v) ? v.map(String) : String(v);
  if (strict) {
    assert.deepEqual(actual, want, `query of ${url} differs`);
    return;
  }
  for (const [k, v] of Object.entries(want)) {
    assert.ok(k in actual, `query parameter "${k}" missing from ${url}`);
    assert.deepEqual(actual[k], v, `query parameter "${k}" of ${url}`);
  }
}
