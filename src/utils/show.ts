// What may be shown of a request, a response, a transport or an error: the one rule behind every
// `util.inspect`, `toJSON`, error message and `cause` chain (libcloud's objects have no such rule:
// their repr and exceptions print whatever they hold). The debug log, NODE_DEBUG lines and recorded
// fixtures use the same rules (src/utils/redact.ts). Nothing here runs on the request path: the
// cost is paid when something is shown, or once when a request fails.
import { inspect, type InspectOptions, type InspectOptionsStylized } from "node:util";
import {
  MESSAGE_LIMIT, REDACTED, SAFE_QUERY_PARAMS, addSecret, cutText, isSensitiveField, looksBinary, redactBodyText, redactHeaders,
  redactProxyUrl, redactResponseHeaders, redactTarget, requestSecrets, scrubSecrets,
  type RequestLike, type SensitiveDeclarations,
} from "./redact.js";

/** How many characters of a body `inspect` and `toJSON` show. */
export const SHOWN_BODY_LIMIT = 2048;

/** The third argument Node passes to `[util.inspect.custom]`. */
export type InspectFunction = (value: unknown, options?: InspectOptions) => string;

/**
 * A view to be shown under a class name: `inspect` prints `Name { … }` with the caller's options,
 * `JSON.stringify` prints the view. Views nest (a response's view holds its request's).
 */
export class Shown {
  constructor(readonly name: string, readonly view: Record<string, unknown>) {}

  /** `Name { … }`, one level of the caller's depth used. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn: InspectFunction = inspect): string {
    if (depth < 0) return options.stylize(`[${this.name}]`, "special");
    const next = { ...options, depth: options.depth === null || options.depth === undefined ? options.depth : options.depth - 1 };
    return `${this.name} ${fn(this.view, next)}`;
  }

  toJSON(): Record<string, unknown> {
    return this.view;
  }
}

/** Renders a view for `[util.inspect.custom]` (the one-line body of every class's hook). */
export function inspectView(name: string, view: Record<string, unknown>, depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
  return new Shown(name, view)[inspect.custom](depth, options, fn);
}

function className(value: unknown, fallback: string): string {
  const name = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? name : fallback;
}

/** Scrubs and bounds a string (a message, a reason, a path). */
function text(value: string, secrets: ReadonlySet<string>, limit = MESSAGE_LIMIT): string {
  return cutText(scrubSecrets(value, secrets), limit);
}

function contentTypeOf(headers: unknown): string {
  if (headers === null || typeof headers !== "object") return "";
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === "content-type" && typeof v === "string") return v;
  return "";
}

/** A body as it may be shown: redacted and scrubbed text (cut), or a summary for bytes and streams. */
export function showBody(body: unknown, contentType: string, declared: SensitiveDeclarations, secrets: Set<string>,
  limit: number = SHOWN_BODY_LIMIT): unknown {
  if (body === undefined || body === null) return body;
  let textBody: string;
  if (typeof body === "string") {
    textBody = body;
  } else if (body instanceof Uint8Array) {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (looksBinary(bytes.subarray(0, 64 * 1024), contentType === "" ? "text/plain" : contentType)) return `<binary ${bytes.length} bytes>`;
    textBody = bytes.toString("utf8");
  } else if (typeof body === "function") {
    return "<body factory>";
  } else {
    return "<stream>";
  }
  if (textBody.length > 1024 * 1024) return `<text body of ${textBody.length} characters, not shown>`;
  const redacted = redactBodyText(textBody, contentType, declared, secrets, { redact: true });
  return text(redacted, secrets, limit);
}

/** Query parameters as they may be shown: allowlisted names keep their (scrubbed) values. */
function showParams(params: unknown, declared: SensitiveDeclarations, secrets: Set<string>): unknown {
  if (params === null || typeof params !== "object") return params;
  const pairs: Array<[string, unknown]> = Array.isArray(params) ? (params as Array<[string, unknown]>) : Object.entries(params);
  const out: Record<string, unknown> = {};
  for (const [name, value] of pairs) {
    const lower = String(name).toLowerCase();
    const safe = SAFE_QUERY_PARAMS.has(lower) && !declared.params.has(lower);
    out[String(name)] = !safe ? REDACTED : typeof value === "string" ? scrubSecrets(value, secrets) : value;
  }
  return out;
}

/**
 * Any value as it may be shown inside a view (a request's context, an error's parsed value):
 * strings scrubbed and cut, plain objects and arrays copied with sensitive fields redacted
 * (iteratively: any depth), class instances left to their own `inspect`.
 */
export function showValue(value: unknown, declared: SensitiveDeclarations, secrets: Set<string>, report?: { changed: boolean }): unknown {
  const leaf = (v: unknown): unknown => {
    if (typeof v === "string") {
      const shown = text(v, secrets);
      if (shown !== v && report !== undefined) report.changed = true;
      return shown;
    }
    if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
    return v;
  };
  const copyable = (v: unknown): v is object => {
    if (v === null || typeof v !== "object" || Buffer.isBuffer(v)) return false;
    const proto: unknown = Object.getPrototypeOf(v);
    return Array.isArray(v) || proto === Object.prototype || proto === null;
  };
  if (!copyable(value)) return leaf(value);
  // Iterative, cycle-safe and bounded: a TLS error's peer certificate refers to itself.
  const seen = new Map<object, unknown>();
  const root: unknown = Array.isArray(value) ? [] : {};
  seen.set(value, root);
  const work: Array<[object, Record<string, unknown>]> = [[value, root as Record<string, unknown>]];
  let budget = 10_000;
  while (work.length > 0) {
    const [src, dst] = work.pop()!;
    for (const [k, v] of Object.entries(src)) {
      if (--budget < 0) {
        dst[k] = "[…]";
        continue;
      }
      if (isSensitiveField(k, declared.bodyFields) && (v === null || typeof v !== "object") && v !== "" && v !== null && v !== undefined) {
        if (typeof v === "string") addSecret(secrets, v);
        if (report !== undefined) report.changed = true;
        dst[k] = REDACTED;
      } else if (copyable(v)) {
        const known = seen.get(v);
        if (known !== undefined) {
          dst[k] = "[Circular]";
          continue;
        }
        const copy: Record<string, unknown> = Array.isArray(v) ? ([] as unknown as Record<string, unknown>) : {};
        seen.set(v, copy);
        Object.defineProperty(dst, k, { value: copy, writable: true, enumerable: true, configurable: true });
        work.push([v, copy]);
      } else {
        Object.defineProperty(dst, k, { value: leaf(v), writable: true, enumerable: true, configurable: true });
      }
    }
  }
  return root;
}

/** The fields of a request object (a LibcloudRequest) that a view shows. */
export interface RequestFields {
  action?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  params?: unknown;
  data?: unknown;
  raw?: unknown;
  stream?: unknown;
  idempotent?: unknown;
  context?: unknown;
}

/** What may be shown of a request built by a connection: no signed header, signature, token or password. */
export function showRequest(request: RequestFields, connection: unknown): Record<string, unknown> {
  const headers: Record<string, string> = {};
  if (request.headers !== null && typeof request.headers === "object") {
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === "string" || typeof v === "number") headers[k] = String(v);
  }
  const like: RequestLike = { headers, url: typeof request.url === "string" ? request.url : undefined, data: request.data };
  const { declared, secrets } = requestSecrets(connection, like);
  const target = (value: unknown): unknown => (typeof value === "string" ? text(redactTarget(value, declared.params, secrets), secrets) : value);
  const shownHeaders = redactHeaders(headers, declared.headers, secrets, undefined, declared.params);
  for (const k of Object.keys(shownHeaders)) shownHeaders[k] = scrubSecrets(shownHeaders[k]!, secrets);
  return {
    method: request.method,
    action: target(request.action),
    url: target(request.url),
    headers: shownHeaders,
    params: showParams(request.params, declared, secrets),
    data: showBody(request.data, contentTypeOf(headers), declared, secrets),
    raw: request.raw,
    stream: request.stream,
    idempotent: request.idempotent,
    context: showValue(request.context, declared, secrets),
  };
}

/** A request inside another view (shown by its own rule whatever object holds it). */
function nestedRequest(request: unknown, connection: unknown): unknown {
  if (request === undefined || request === null || typeof request !== "object") return request;
  return new Shown("LibcloudRequest", showRequest(request, connection));
}

/** A connection inside a view: its own summary when it has one, else its class name. */
function nestedConnection(connection: unknown): unknown {
  if (connection === null || typeof connection !== "object") return connection;
  const own = (connection as { toJSON?: unknown }).toJSON;
  if (typeof own === "function") {
    try {
      return new Shown(className(connection, "Connection"), own.call(connection) as Record<string, unknown>);
    } catch {
      // Fall through to the class name.
    }
  }
  return `[${className(connection, "Connection")}]`;
}

/** The fields of a buffered or raw response that a view shows. */
export interface ResponseFields {
  status?: unknown;
  headers?: unknown;
  body?: unknown;
  error?: unknown;
  reason?: unknown;
  errorBody?: unknown;
  request?: unknown;
  connection?: unknown;
}

/** What may be shown of a Response or RawResponse: headers and body by the log's rules, the request by its own. */
export function showResponse(response: ResponseFields): Record<string, unknown> {
  const request = response.request as RequestFields | undefined;
  const headersIn: Record<string, string> = {};
  if (request?.headers !== null && typeof request?.headers === "object") {
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === "string") headersIn[k] = v;
  }
  const { declared, secrets } = requestSecrets(response.connection, request === undefined ? undefined : { headers: headersIn, url: request.url as string | undefined, data: request.data });
  const headers = showHeaders(response.headers, declared, secrets);
  const view: Record<string, unknown> = { status: response.status };
  if (response.error !== undefined) view["error"] = typeof response.error === "string" ? text(response.error, secrets) : response.error;
  if (typeof response.reason === "string") view["reason"] = text(response.reason, secrets);
  view["headers"] = headers;
  const type = contentTypeOf(response.headers);
  if (response.body !== undefined) view["body"] = showBody(response.body, type, declared, secrets);
  if (typeof response.errorBody === "string" && response.errorBody !== "") view["errorBody"] = showBody(response.errorBody, type, declared, secrets);
  view["request"] = nestedRequest(response.request, response.connection);
  view["connection"] = nestedConnection(response.connection);
  return view;
}

/** Response headers as they may be shown (Set-Cookie and credential headers redacted, values scrubbed). */
export function showHeaders(headers: unknown, declared: SensitiveDeclarations, secrets: Set<string>): Record<string, string> {
  const plain: Record<string, string> = {};
  if (headers !== null && typeof headers === "object") {
    for (const [k, v] of Object.entries(headers)) plain[k] = Array.isArray(v) ? v.map(String).join(", ") : String(v);
  }
  const out = redactResponseHeaders(plain, declared.headers, secrets, declared.params);
  for (const k of Object.keys(out)) out[k] = text(out[k]!, secrets, 1024);
  return out;
}

const NO_DECLARATIONS: SensitiveDeclarations = { headers: new Set(), params: new Set(), bodyFields: new Set() };

/** What may be shown of an HTTPResponse: status, headers by the response rule, the body's size only. */
export function showHttpResponse(response: { status?: unknown; reason?: unknown; version?: unknown; headers?: unknown; bodyBuffer?: unknown; stream?: unknown }): Record<string, unknown> {
  const secrets = new Set<string>();
  const headers = showHeaders(response.headers, NO_DECLARATIONS, secrets);
  const buffer = response.bodyBuffer;
  return {
    status: response.status,
    reason: response.reason,
    version: response.version,
    headers,
    body: Buffer.isBuffer(buffer) ? `<${buffer.length} bytes>` : response.stream !== null && response.stream !== undefined ? "<stream>" : null,
  };
}

/**
 * What may be shown of a transport (LibcloudConnection, MockHttp, …): its origin and plain
 * settings, the proxy without its password; never key files, passphrases or option objects.
 */
export function showTransport(transport: object): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(transport)) {
    if (/pass|secret|token|key|cert|cred|auth|cookie|session|proxy|options/i.test(k)) continue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") view[k] = v;
  }
  const proxy = (transport as { proxy?: { display?: unknown } | null }).proxy;
  if (proxy !== undefined) view["proxy"] = proxy === null ? null : typeof proxy.display === "string" ? redactProxyUrl(proxy.display) : "<proxy>";
  return view;
}

// ---- Errors ----------------------------------------------------------------------------------------

/** Properties an error keeps as they are. */
const KEEP = new Set(["name", "code", "phase", "httpCode", "statusCode", "requestSent", "method", "limit", "retryAfter"]);

function setOwn(target: object, key: string, value: unknown): void {
  const current = Object.getOwnPropertyDescriptor(target, key);
  try {
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: current?.enumerable ?? false });
  } catch {
    // A frozen or non-configurable property stays as it is.
  }
}

/** Scrubs the texts of an XML element tree in place (an error's parsed value). */
function scrubElement(root: { iter(): Iterable<{ text: string | null; tail: string | null; attrib: Record<string, string> }> }, secrets: Set<string>): void {
  for (const el of root.iter()) {
    if (el.text !== null) el.text = scrubSecrets(el.text, secrets);
    if (el.tail !== null) el.tail = scrubSecrets(el.tail, secrets);
    for (const name of Object.keys(el.attrib)) el.attrib[name] = scrubSecrets(el.attrib[name]!, secrets);
  }
}

function scrubOneError(error: Error, declared: SensitiveDeclarations, secrets: Set<string>): void {
  // Fields first: redacting a parsed value or a body finds secrets (an access_token) the message may echo.
  for (const key of Object.keys(error)) {
    if (KEEP.has(key) || key === "cause" || key === "message" || key === "stack") continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (key === "headers" && value !== null && typeof value === "object") {
      setOwn(error, key, showHeaders(value, declared, secrets));
    } else if (key === "body" && typeof value === "string") {
      setOwn(error, key, showBody(value, "", declared, secrets, MESSAGE_LIMIT));
    } else if (typeof value === "string") {
      setOwn(error, key, text(value, secrets));
    } else if (value !== null && typeof value === "object" && typeof (value as { iter?: unknown }).iter === "function") {
      try {
        scrubElement(value as Parameters<typeof scrubElement>[0], secrets);
      } catch {
        // Not an element after all.
      }
    } else if (value !== null && typeof value === "object" && !(value instanceof Error)) {
      // Replaced only when something had to be hidden (a peer certificate stays as Node made it).
      const report = { changed: false };
      const shown = showValue(value, declared, secrets, report);
      if (report.changed) setOwn(error, key, shown);
    }
  }
  const original = typeof error.message === "string" ? error.message : String(error.message);
  const message = text(original, secrets);
  const stack = error.stack;
  if (message !== original) setOwn(error, "message", message);
  if (typeof stack === "string") {
    const at = stack.indexOf(original);
    const rebuilt = original !== "" && at >= 0 ? `${stack.slice(0, at)}${message}${stack.slice(at + original.length)}` : stack;
    const next = cutText(scrubSecrets(rebuilt, secrets), MESSAGE_LIMIT + 8192);
    if (next !== stack) setOwn(error, "stack", next);
  }
}

/**
 * Makes an error (and every error in its `cause` chain and `errors` list) safe to show: secrets of
 * the connection and of the request are scrubbed from `message`, `stack` and every text field,
 * the message is cut at {@link MESSAGE_LIMIT} characters saying how much was cut, `headers` lose
 * Set-Cookie and credential values, `body` and parsed values are redacted by the log's rules.
 * Called once by `Connection.request()` when a request fails. Returns `error`.
 */
export function sanitizeError<E>(error: E, connection: unknown, request?: RequestLike | null): E {
  if (!(error instanceof Error)) return error;
  let declared: SensitiveDeclarations;
  let secrets: Set<string>;
  try {
    ({ declared, secrets } = requestSecrets(connection, request));
  } catch {
    return error;
  }
  const seen = new Set<object>();
  const work: unknown[] = [error];
  while (work.length > 0 && seen.size < 32) {
    const e = work.pop();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    try {
      scrubOneError(e, declared, secrets);
    } catch {
      // Showing never changes a request's outcome.
    }
    const cause: unknown = (e as { cause?: unknown }).cause;
    if (cause !== undefined) work.push(cause);
    if (e instanceof AggregateError && Array.isArray(e.errors)) work.push(...(e.errors as unknown[]));
  }
  return error;
}
