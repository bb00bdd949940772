// The per-request state that libcloud keeps on the connection (self.action, self.method, self.data,
// self.context). Here each request gets its own object, handed to every hook as the last argument
// and made visible as this.action/this.method/this.data/this.context for the request's own async
// call tree, so concurrent requests on one connection never see each other's state.
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect, type InspectOptionsStylized } from "node:util";
import { inspectView, showRequest, type InspectFunction } from "../../utils/show.js";

/** One query parameter value; arrays repeat the key (libcloud's `doseq`), null/undefined are left out. */
export type ParamValue = string | number | boolean | bigint | null | undefined | ReadonlyArray<string | number | boolean | bigint>;

/** Query parameters: an object or a list of pairs (both as in libcloud). */
export type Params = Record<string, ParamValue> | Array<[string, ParamValue]>;

/** Request header values as callers give them: numbers are converted to strings. */
export type HeaderInput = Record<string, string | number>;

/**
 * A request body: text, bytes, a stream (sent once, never replayed), or a function that makes a
 * fresh body for each attempt (replayable, so retries may re-send it).
 */
export type RequestBody =
  | string
  | Uint8Array
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array>
  | (() => string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array>)
  | null
  | undefined;

/** The request being built, handed to every hook and kept on the response as `response.request`. */
export interface LibcloudRequest {
  /** The path, as given to request() (after morphActionHook). */
  action: string;
  /** The HTTP method, upper case. */
  method: string;
  /** Query parameters (the hooks may add to them). */
  params: Params;
  /** Request headers (the hooks may add to them). */
  headers: Record<string, string>;
  /** The body (encodeData may replace it). */
  data: RequestBody;
  /** Whether the response is a RawResponse (body left unread). */
  raw: boolean;
  /** Whether the response body is streamed (libcloud's `stream=True`). */
  stream: boolean;
  /** Free-form context the caller and the hooks share. */
  context: Record<string, unknown>;
  /** Whether the request may be re-sent after it may have reached the server. */
  idempotent: boolean;
  /** The request's abort signal, if any. */
  signal: AbortSignal | undefined;
  /** The path and query sent (set once the query string is appended, step 7). */
  url: string;
}

/**
 * The request object a connection builds: a plain LibcloudRequest whose `util.inspect` and
 * `JSON.stringify` show it by the redaction rule (src/utils/show.ts), so a hook or a response that
 * prints it never prints its signed headers, signatures or body secrets.
 */
export class RequestRecord implements LibcloudRequest {
  action: string;
  method: string;
  params: Params;
  headers: Record<string, string>;
  data: RequestBody;
  raw: boolean;
  stream: boolean;
  context: Record<string, unknown>;
  idempotent: boolean;
  signal: AbortSignal | undefined;
  url: string;
  readonly #connection: object;

  constructor(connection: object, init: LibcloudRequest) {
    this.action = init.action;
    this.method = init.method;
    this.params = init.params;
    this.headers = init.headers;
    this.data = init.data;
    this.raw = init.raw;
    this.stream = init.stream;
    this.context = init.context;
    this.idempotent = init.idempotent;
    this.signal = init.signal;
    this.url = init.url;
    this.#connection = connection;
  }

  /** Shown without credentials. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView("LibcloudRequest", this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials. */
  toJSON(): Record<string, unknown> {
    return showRequest(this, this.#connection);
  }
}

/** The request in flight on a connection, for this async call tree. */
export interface RequestScope {
  readonly connection: object;
  readonly request: LibcloudRequest;
}

/** @internal */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/** The request in flight for `connection` in the current async call tree, if any. */
export function currentRequest(connection: object): LibcloudRequest | undefined {
  const scope = requestScope.getStore();
  return scope !== undefined && scope.connection === connection ? scope.request : undefined;
}
