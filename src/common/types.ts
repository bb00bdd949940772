// Port of libcloud/common/types.py: LibcloudError and its family, plus the typed transport errors.
import { safeJson } from "../utils/json.js";

/** Options every LibcloudError accepts. */
export interface LibcloudErrorOptions {
  /** The driver that raised the error (kept as a field, never printed). */
  driver?: unknown;
  /** The underlying error. */
  cause?: unknown;
  /** The HTTP status the error comes from, when it comes from one. */
  statusCode?: number | undefined;
}

/** Turns a parsed error value (string, JSON object, XML element) into message text. */
export function messageFromValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return String(value);
  if (typeof value === "object" && typeof (value as { toString?: unknown }).toString === "function"
    && (value).toString !== Object.prototype.toString && !Array.isArray(value)) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- checked above: the class has its own toString (an XML element)
    return String(value);
  }
  return safeJson(value);
}

/**
 * Base class of libcloud's own errors (`libcloud.common.types.LibcloudError`): everything the
 * library throws on purpose is one, HTTP errors (`BaseHTTPError`), transport errors and the
 * storage errors included. An error that comes from an HTTP status has `statusCode`.
 */
export class LibcloudError extends Error {
  /** The class name, `"LibcloudError"` (also shown by `toString()`). */
  override name = "LibcloudError";
  /** The parsed error value as given (a string, a JSON object, an XML element). */
  readonly value: unknown;
  /** The driver the error came from, when known. */
  declare readonly driver: unknown;
  /** The HTTP status the error comes from; undefined when it does not come from one. */
  declare readonly statusCode?: number | undefined;

  constructor(value: unknown, options: LibcloudErrorOptions = {}) {
    super(messageFromValue(value), options.cause === undefined ? undefined : { cause: options.cause });
    this.value = value;
    if (options.statusCode !== undefined) setStatusCode(this, options.statusCode);
    // Non-enumerable: a driver holds credentials, and errors get logged and JSON-encoded.
    Object.defineProperty(this, "driver", { value: options.driver ?? null, enumerable: false, writable: true });
  }
}

/**
 * Gives an error the HTTP status it came from (own, enumerable, like a field). The connection uses
 * it for a typed error a response class throws without one (a 404 mapped to `ObjectDoesNotExistError`).
 * @internal
 */
export function setStatusCode(error: LibcloudError, statusCode: number): void {
  Object.defineProperty(error, "statusCode", { value: statusCode, enumerable: true, writable: true, configurable: true });
}

/** The provider answered with a body that cannot be parsed. */
export class MalformedResponseError extends LibcloudError {
  /** The class name, `"MalformedResponseError"` (also shown by `toString()`). */
  override name = "MalformedResponseError";
  /** The body that failed to parse (at most {@link MALFORMED_BODY_EXCERPT} characters are kept). */
  readonly body: string | undefined;

  constructor(value: unknown, options: LibcloudErrorOptions & { body?: string } = {}) {
    super(value, options);
    this.body = options.body === undefined ? undefined : options.body.slice(0, MALFORMED_BODY_EXCERPT);
  }
}
/** How much of an unparseable body a MalformedResponseError keeps. */
export const MALFORMED_BODY_EXCERPT = 1024;

/** An error reported by the provider with an HTTP status (`libcloud.common.types.ProviderError`). */
export class ProviderError extends LibcloudError {
  /** The class name, `"ProviderError"` (also shown by `toString()`). */
  override name = "ProviderError";
  /** The HTTP status. */
  declare readonly statusCode: number;
  constructor(value: unknown, httpCode: number, options: LibcloudErrorOptions = {}) {
    super(value, { ...options, statusCode: options.statusCode ?? httpCode });
  }

  /** libcloud's name for {@link ProviderError.statusCode} (`http_code`). */
  get httpCode(): number {
    return this.statusCode;
  }
}

/** The provider rejected the credentials (HTTP 401). */
export class InvalidCredsError extends ProviderError {
  /** The class name, `"InvalidCredsError"` (also shown by `toString()`). */
  override name = "InvalidCredsError";
  constructor(value: unknown = "Invalid credentials with the provider", options: LibcloudErrorOptions = {}) {
    super(value, 401, options);
  }
}

/** The provider is unavailable (HTTP 503). */
export class ServiceUnavailableError extends ProviderError {
  /** The class name, `"ServiceUnavailableError"` (also shown by `toString()`). */
  override name = "ServiceUnavailableError";
  constructor(value: unknown = "Service unavailable at provider", options: LibcloudErrorOptions = {}) {
    super(value, 503, options);
  }
}

/** A configuration value is out of range or malformed (bad port, bad host, NaN delay, missing CA file). */
export class ConfigError extends LibcloudError {
  /** The class name, `"ConfigError"` (also shown by `toString()`). */
  override name = "ConfigError";
}

/** What every transport error carries besides the message. */
export interface TransportErrorOptions extends LibcloudErrorOptions {
  /** Node's (or undici's) string code: `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, … */
  code: string;
  /** The origin (`scheme://host[:port]`), never with credentials. */
  host: string;
  /** The HTTP method. */
  method?: string;
  /** True when request bytes may have reached the server (so a non-idempotent request may have been processed). */
  requestSent?: boolean;
}

/** Base of the transport failures: the request did not produce a complete HTTP response. */
export class TransportError extends LibcloudError {
  /** The class name, `"TransportError"` (also shown by `toString()`). */
  override name = "TransportError";
  /** Node's (or undici's) string code: `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, … */
  readonly code: string;
  /** The origin (`scheme://host[:port]`), never with credentials. */
  readonly host: string;
  /** The HTTP method. */
  readonly method: string | undefined;
  /** True when request bytes may have reached the server (so a non-idempotent request may have been processed). */
  readonly requestSent: boolean;
  constructor(message: string, options: TransportErrorOptions) {
    super(message, options);
    this.code = options.code;
    this.host = options.host;
    this.method = options.method;
    this.requestSent = options.requestSent ?? true;
  }
}

/** Refused, reset, closed early, truncated body, content-length mismatch, bad framing. */
export class ConnectionError extends TransportError {
  /** The class name, `"ConnectionError"` (also shown by `toString()`). */
  override name = "ConnectionError";
}

/** The host name did not resolve. */
export class DnsError extends TransportError {
  /** The class name, `"DnsError"` (also shown by `toString()`). */
  override name = "DnsError";
}

/** Which phase of a request ran out of time. */
export type TimeoutPhase = "connect" | "headers" | "body" | "request";

/** A connect, headers, body (idle) or whole-request timeout. */
export class TimeoutError extends TransportError {
  /** The class name, `"TimeoutError"` (also shown by `toString()`). */
  override name = "TimeoutError";
  /** Which timeout fired: `connect`, `headers`, `body` (idle) or `request` (the overall deadline). */
  readonly phase: TimeoutPhase;
  constructor(message: string, options: TransportErrorOptions & { phase: TimeoutPhase }) {
    super(message, options);
    this.phase = options.phase;
  }
}

/** TLS failed: certificate verification, handshake, client certificate. */
export class TlsError extends TransportError {
  /** The class name, `"TlsError"` (also shown by `toString()`). */
  override name = "TlsError";
}

/** The proxy could not be reached or refused the tunnel. */
export class ProxyError extends TransportError {
  /** The class name, `"ProxyError"` (also shown by `toString()`). */
  override name = "ProxyError";
  /** The proxy's HTTP status for a refused CONNECT (407, 403, 502 …), when there was one. */
  declare readonly statusCode: number | undefined;
}

/** A buffered body went over `maxBufferedBodyBytes` (decoded size). */
export class ResponseTooLargeError extends TransportError {
  /** The class name, `"ResponseTooLargeError"` (also shown by `toString()`). */
  override name = "ResponseTooLargeError";
  /** The cap, in bytes, that the body went over (0 when only undici knew it). */
  readonly limit: number;
  constructor(message: string, options: TransportErrorOptions & { limit: number }) {
    super(message, options);
    this.limit = options.limit;
  }
}

/** A `Content-Encoding` could not be decoded (bad gzip, truncated stream, too many codings, unknown coding). */
export class DecompressionError extends TransportError {
  /** The class name, `"DecompressionError"` (also shown by `toString()`). */
  override name = "DecompressionError";
}

/** Redirects could not be followed (loop, bad Location, unsupported scheme). */
export class RedirectError extends TransportError {
  /** The class name, `"RedirectError"` (also shown by `toString()`). */
  override name = "RedirectError";
}

/** The connection (or its transport) was closed; no more requests can be sent on it. */
export class ClientClosedError extends TransportError {
  /** The class name, `"ClientClosedError"` (also shown by `toString()`). */
  override name = "ClientClosedError";
}

/** What a {@link PollTimeoutError} tells about the job it gave up on (all redacted: no credential). */
export interface PollTimeoutDetails {
  /** The poll request's action (path and query, secret-looking query values redacted). */
  action?: string | undefined;
  /** The poll request's method. */
  method?: string | undefined;
  /** The job id, as the connection's `getJobId()` found it. */
  jobId?: string | undefined;
  /** The status of the last poll's response. */
  lastStatus?: number | undefined;
  /** The last poll's response headers (`Location`, request ids …); values off the allowlist are REDACTED. */
  lastHeaders?: Readonly<Record<string, string>> | undefined;
  /** How many polls were made. */
  polls?: number | undefined;
  /** The poll budget, in ms. */
  timeoutMs?: number | undefined;
}

/**
 * A polled job did not finish in time (`PollingConnection`). Besides libcloud's message it carries
 * what is needed to find the job again: the poll's action, the job id and the last response's
 * status and headers (H17, R24), never a credential.
 */
export class PollTimeoutError extends LibcloudError {
  /** The class name, `"PollTimeoutError"` (also shown by `toString()`). */
  override name = "PollTimeoutError";
  /** The poll request's action (redacted). */
  readonly action: string | undefined;
  /** The poll request's method. */
  readonly method: string | undefined;
  /** The job id, when the connection knows how to find it. */
  readonly jobId: string | undefined;
  /** The status of the last poll's response. */
  readonly lastStatus: number | undefined;
  /** The last poll's response headers (redacted). */
  readonly lastHeaders: Readonly<Record<string, string>>;
  /** How many polls were made. */
  readonly polls: number | undefined;
  /** The poll budget, in ms. */
  readonly timeoutMs: number | undefined;

  constructor(value: unknown, options: LibcloudErrorOptions & PollTimeoutDetails = {}) {
    super(value, options);
    this.action = options.action;
    this.method = options.method;
    this.jobId = options.jobId;
    this.lastStatus = options.lastStatus;
    this.lastHeaders = { ...options.lastHeaders };
    this.polls = options.polls;
    this.timeoutMs = options.timeoutMs;
  }
}

/** A polled job reported failure; thrown by `hasCompleted` to end polling at once. */
export class JobFailedError extends LibcloudError {
  /** The class name, `"JobFailedError"` (also shown by `toString()`). */
  override name = "JobFailedError";
}
