// Port of libcloud/test/__init__.py: MockHttp — a transport for driver tests that routes each
// request to a method named after the URL path, so the whole pipeline above it (hooks, signing,
// retry, response classes) runs unchanged.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { HTTPResponse } from "../http/http-response.js";
import type { HeaderMap } from "../common/exceptions.js";
import { LibcloudError } from "../common/types.js";
import { formatOrigin, type Transport, type TransportOptions, type TransportRequest } from "../http/libcloud-connection.js";

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

/**
 * The mock method name for a request, exactly as libcloud's `MockHttp._get_method_name`: the path
 * without its trailing `/`, with `/`, `.`, `-` (and `%`) as `_`; `_<type>` when a type is set;
 * `_<value>` of the `useParam` query parameter when present; `root` for an empty name.
 */
export function mockMethodName(url: string, type: string | null | undefined, useParam: string | null | undefined): string {
  const q = url.indexOf("?");
  let path = q < 0 ? url : url.slice(0, q);
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.slice(0, hash);
  if (path.endsWith("/")) path = path.slice(0, -1);
  let name = path.replace(/[/.-]/g, "_").replace(/~/g, "%7E");
  if (type) name = `${name}_${type}`;
  if (useParam) {
    const value = new URLSearchParams(q < 0 ? "" : url.slice(q + 1)).get(useParam);
    if (value !== null) name = `${name}_${value.replace(/[.-]/g, "_")}`;
  }
  if (name === "") name = "root";
  return name.replace(/%/g, "_");
}

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

const BASE_NAMES = new Set(["constructor", "request", "setHttpProxy", "close", "dispatch", "knownMethods", "host", "replay"]);

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
    this.host = formatOrigin(options.secure, options.host, options.port);
    Object.defineProperty(this, "proxyUrl", { value: options.proxyUrl, writable: true, enumerable: false });
  }

  /** URLs requested through this class (path and query), in order. */
  static get visitedUrls(): string[] {
    return historyOf(this).visitedUrls;
  }

  /** Mock method names executed through this class, in order. */
  static get executedMockMethods(): string[] {
    return historyOf(this).executedMockMethods;
  }

  /** Every request answered through this class, in order. */
  static get requests(): MockRequest[] {
    return historyOf(this).requests;
  }

  /** Clears the history and sets `type` back to null (call it in beforeEach). */
  static reset(): void {
    histories.delete(this);
    if (Object.prototype.hasOwnProperty.call(this, "type")) this.type = null;
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
    const name = mockMethodName(request.url, cls.type, cls.useParam);
    const member = (this as unknown as Record<string, unknown>)[name];
    if (!isMockMember(member) || (BASE_NAMES.has(name) && !Object.prototype.hasOwnProperty.call(this, name))) {
      const known = this.knownMethods();
      throw new MockHttpError(
        `${cls.name}: no mock method "${name}" for ${request.method} ${request.url}` +
        `${cls.type ? ` (type ${JSON.stringify(cls.type)})` : ""}${cls.useParam ? ` (useParam ${JSON.stringify(cls.useParam)})` : ""}; ` +
        `known: ${known.length === 0 ? "(none)" : known.join(", ")}`,
        name, known,
      );
    }
    const body = await readBody(request.body);
    const history = historyOf(cls);
    history.visitedUrls.push(request.url);
    history.executedMockMethods.push(name);
    history.requests.push({ method: request.method, url: request.url, methodName: name, headers: request.headers, body });
    const answer = await this.dispatch(name, member as MockMethod | readonly MockResponse[], request, body);
    return toHttpResponse(answer, request, `${cls.name}.${name}`);
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

function toHttpResponse(answer: MockResponse, request: TransportRequest, where: string): HTTPResponse {
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
  let bytes = rawBody === undefined || rawBody === null ? Buffer.alloc(0) : typeof rawBody === "string" ? Buffer.from(rawBody) : Buffer.from(rawBody);
  // Like the real transport, hand over decoded bodies (a fixture may be stored compressed).
  for (const coding of (headers["content-encoding"] ?? "").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity").reverse()) {
    if (coding === "gzip" || coding === "x-gzip") bytes = gunzipSync(bytes);
    else if (coding === "deflate") bytes = inflateSync(bytes);
    else if (coding === "br") bytes = brotliDecompressSync(bytes);
  }
  const init = { status, reason: reason ?? reasonPhrase(status), headers, rawHeaders: list };
  if (request.method === "HEAD" || status === 204 || status === 304) return new HTTPResponse({ ...init, body: null });
  if (request.raw === true || request.stream === true) return new HTTPResponse({ ...init, body: Readable.from(chunked(bytes), { objectMode: false }) });
  return new HTTPResponse({ ...init, body: bytes });
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
