// Port of libcloud/common/base.py: Response.
import { inspect, type InspectOptionsStylized } from "node:util";
import type { HeaderMap } from "../exceptions.js";
import { inspectView, showResponse, type InspectFunction } from "../../utils/show.js";
import type { HTTPResponse } from "../../http/http-response.js";
import type { LibcloudRequest } from "./request-context.js";
import { errorForResponse } from "./response-error.js";

/** The connection as a response sees it (kept loose so any Connection subclass fits). */
export interface ResponseConnection {
  /** The driver that owns the connection, if any. */
  driver?: unknown;
  /** The context of the request. */
  readonly context: Record<string, unknown>;
  /** The action (path) of the request. */
  readonly action: string | null;
  /** The method of the request. */
  readonly method: string | null;
}

const UNPARSED: unique symbol = Symbol("unparsed");

/** The request the response being built answers (set by the connection around the constructor). */
let answering: LibcloudRequest | undefined;

/**
 * Builds a response with `request` visible to its constructor as `this.request` (libcloud's
 * `self.request = response.request`), so `success()` and `parseError()` can read it. @internal
 */
export function buildResponse<T>(request: LibcloudRequest, build: () => T): T {
  const previous = answering;
  answering = request;
  try {
    return build();
  } finally {
    answering = previous;
  }
}

/** Decodes a buffered body as text, honouring a `charset` in Content-Type (UTF-8 otherwise). */
export function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  if (bytes.length === 0) return "";
  const charset = contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return bytes.toString("utf8").replace(/^\uFEFF/, "");
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString("utf8").replace(/^\uFEFF/, "");
  }
}

/**
 * A base response class to derive from (`libcloud.common.base.Response`). The connection builds it
 * once the body is read in full. As in libcloud the constructor decides: when `success()` is false
 * it throws the error that `parseError()` describes (see `errorForResponse` in response-error.ts); else it parses
 * the body, so a malformed one throws `MalformedResponseError`, and `object` is what `parseBody()`
 * returned. An empty body is parsed on first use of `object` instead, so a subclass's
 * `parseZeroLengthBody = true` field (set after this constructor) is honoured.
 *
 * `success()`, `parseError()` and `parseBody()` run inside this constructor: like libcloud's, they
 * may read `status`, `headers`, `body`, `connection` and `request`, but not instance fields that a
 * subclass declares (JavaScript sets those after the base constructor); use a getter or a static.
 *
 * `T` is the type of `object`: `unknown` until a caller states it (`request<T>()` does), since the
 * body is the provider's to shape.
 */
export class Response<T = unknown> {
  /** HTTP status. */
  status: number;
  /** Response headers, names lower-cased. */
  headers: HeaderMap;
  /** The body as text, trimmed. */
  body: string;
  /** The reason phrase. */
  error: string;
  /** The connection that made the request. */
  connection: ResponseConnection;
  /** The request this answers (set by the connection). */
  request: LibcloudRequest | undefined;
  /** Parse an empty body too (else `object` is the empty string). @defaultValue false */
  parseZeroLengthBody = false;
  /** The raw transport response. */
  readonly response: HTTPResponse;
  #object: unknown = UNPARSED;

  constructor(response: HTTPResponse, connection: ResponseConnection) {
    this.response = response;
    this.connection = connection;
    this.status = response.status;
    this.headers = response.headers;
    this.error = response.reason;
    this.request = answering;
    const bytes = response.bodyBuffer;
    this.body = bytes === null ? "" : decodeBody(bytes, response.headers["content-type"]).trim();
    if (!this.success()) throw errorForResponse(this, this.body);
    if (this.body.length > 0) this.#object = this.parseBody();
  }

  /** What `parseBody()` returned (parsed on first use when the response was built by hand). */
  get object(): T {
    if (this.#object === UNPARSED) this.#object = this.parseBody();
    return this.#object as T;
  }
  /** Replaces the parsed body (as libcloud's drivers assign `response.object`). */
  set object(value: T) {
    this.#object = value;
  }

  /** Whether the request succeeded: 200, 201 or 202 (override to change). */
  success(): boolean {
    return this.status === 200 || this.status === 201 || this.status === 202;
  }

  /** Parses the body (override in a provider's subclass). Returns the body. */
  parseBody(): unknown {
    return this.body;
  }

  /** Parses an error body (override in a provider's subclass). Returns the body. */
  parseError(): unknown {
    return this.body;
  }

  /** Shown without credentials (src/utils/show.ts). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials (src/utils/show.ts). */
  toJSON(): Record<string, unknown> {
    return showResponse(this);
  }
}
