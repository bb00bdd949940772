// Port of libcloud/common/exceptions.py: BaseHTTPError, RateLimitReachedError, exception_from_message.
import { LibcloudError, type LibcloudErrorOptions } from "./types.js";

/** Response headers as libcloud-ts hands them around: lower-cased names. */
export type HeaderMap = Record<string, string>;

/**
 * An HTTP error status from the provider (`libcloud.common.exceptions.BaseHTTPError`), a
 * {@link LibcloudError} like every error the library throws on purpose.
 */
export class BaseHTTPError extends LibcloudError {
  /** The class name, `"BaseHTTPError"` (also shown by `toString()`). */
  override name = "BaseHTTPError";
  /** The HTTP status. */
  declare readonly statusCode: number;
  /** The response headers (a copy; the caller's object is never changed). */
  readonly headers: HeaderMap;

  constructor(code: number, message: unknown, headers: HeaderMap = {}, options: LibcloudErrorOptions = {}) {
    super(message, { ...options, statusCode: code });
    this.headers = { ...headers };
  }

  /** libcloud's name for {@link BaseHTTPError.statusCode}: the HTTP status, a number. */
  get code(): number {
    return this.statusCode;
  }
}

/** HTTP 429 (`libcloud.common.exceptions.RateLimitReachedError`). */
export class RateLimitReachedError extends BaseHTTPError {
  /** The class name, `"RateLimitReachedError"` (also shown by `toString()`). */
  override name = "RateLimitReachedError";
  /** Seconds to wait, from the `Retry-After` header; undefined when absent or unusable. */
  readonly retryAfter: number | undefined;

  constructor({ message = "Rate limit reached", headers = {}, cause, driver }: { message?: unknown; headers?: HeaderMap; cause?: unknown; driver?: unknown } = {}) {
    super(429, message, headers, { cause, driver });
    this.retryAfter = parseRetryAfter(headerValue(headers, "retry-after"));
  }
}

/** A header's value from a map, whatever the case of its name. */
export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) {
      const v = headers[key];
      const first: unknown = Array.isArray(v) ? v[0] : v;
      return typeof first === "string" ? first : typeof first === "number" ? String(first) : undefined;
    }
  }
  return undefined;
}

/** Retry-After longer than this (a year) is treated as nonsense and ignored. */
const MAX_RETRY_AFTER_SECONDS = 365 * 24 * 3600;

/**
 * Parses a `Retry-After` value: delta seconds (a fraction such as `0.2` too, as libcloud's
 * `float()`), or an HTTP-date turned into non-negative whole delta seconds (rounded up).
 * Anything else (`soon`, `-5`, `NaN`, `1e309`, empty) gives undefined; it never throws.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    return seconds <= MAX_RETRY_AFTER_SECONDS ? seconds : undefined;
  }
  // IMF-fixdate / RFC 850 / asctime all contain a letter and a colon; Date.parse handles the three.
  if (isHttpDate(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - nowMs) / 1000));
  }
  return undefined;
}

/** A class that `exceptionFromMessage` builds for a status. */
export type HttpErrorFactory = (code: number, message: unknown, headers: HeaderMap) => BaseHTTPError;

/** Status → error class (libcloud's `_code_map`). Extend it with `HTTP_ERROR_CLASSES.set(code, factory)`. */
export const HTTP_ERROR_CLASSES = new Map<number, HttpErrorFactory>([
  [429, (_code, message, headers) => new RateLimitReachedError({ message, headers })],
]);

/**
 * The error for an HTTP status (`exception_from_message`): a RateLimitReachedError for 429,
 * whatever the status table says for others, and a BaseHTTPError otherwise. For every status, a
 * `Retry-After` given as an HTTP-date becomes delta seconds in the error's `headers` (as libcloud
 * rewrites it); the caller's `headers` object is never changed.
 */
export function exceptionFromMessage(code: number, message: unknown, headers: HeaderMap = {}): BaseHTTPError {
  const copy: HeaderMap = { ...headers };
  for (const name of Object.keys(copy)) {
    if (name.toLowerCase() !== "retry-after") continue;
    const value = copy[name];
    if (typeof value === "string" && isHttpDate(value)) {
      const seconds = parseRetryAfter(value);
      if (seconds !== undefined) copy[name] = String(seconds);
    }
  }
  const factory = HTTP_ERROR_CLASSES.get(code);
  return factory ? factory(code, message, copy) : new BaseHTTPError(code, message, copy);
}

/** Whether a `Retry-After` value has the shape of an HTTP-date (not delta seconds). */
function isHttpDate(value: string): boolean {
  return /[a-z]/i.test(value) && value.includes(":");
}
