// Port of libcloud/common/exceptions.py: BaseHTTPError, RateLimitReachedError, exception_from_message.
import { LibcloudError } from "./types.js";
/**
 * An HTTP error status from the provider (`libcloud.common.exceptions.BaseHTTPError`), a
 * {@link LibcloudError} like every error the library throws on purpose.
 */
export class BaseHTTPError extends LibcloudError {
    /** The class name, `"BaseHTTPError"` (also shown by `toString()`). */
    name = "BaseHTTPError";
    /** The response headers (a copy; the caller's object is never changed). */
    headers;
    constructor(code, message, headers = {}, options = {}) {
        super(message, { ...options, statusCode: code });
        this.headers = { ...headers };
    }
    /** libcloud's name for {@link BaseHTTPError.statusCode}: the HTTP status, a number. */
    get code() {
        return this.statusCode;
    }
}
/** HTTP 429 (`libcloud.common.exceptions.RateLimitReachedError`). */
export class RateLimitReachedError extends BaseHTTPError {
    /** The class name, `"RateLimitReachedError"` (also shown by `toString()`). */
    name = "RateLimitReachedError";
    /** Seconds to wait, from the `Retry-After` header; undefined when absent or unusable. */
    retryAfter;
    constructor({ message = "Rate limit reached", headers = {}, cause, driver } = {}) {
        super(429, message, headers, { cause, driver });
        this.retryAfter = parseRetryAfter(headerValue(headers, "retry-after"));
    }
}
/** A header's value from a map, whatever the case of its name. */
export function headerValue(headers, name) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === lower) {
            const v = headers[key];
            const first = Array.isArray(v) ? v[0] : v;
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
export function parseRetryAfter(value, nowMs = Date.now()) {
    if (value === undefined)
        return undefined;
    const text = value.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) {
        const seconds = Number(text);
        return seconds <= MAX_RETRY_AFTER_SECONDS ? seconds : undefined;
    }
    // IMF-fixdate / RFC 850 / asctime all contain a letter and a colon; Date.parse handles the three.
    if (isHttpDate(text)) {
        const at = Date.parse(text);
        if (Number.isFinite(at))
            return Math.max(0, Math.ceil((at - nowMs) / 1000));
    }
    return undefined;
}
/** Status → error class (libcloud's `_code_map`). Extend it with `HTTP_ERROR_CLASSES.set(code, factory)`. */
export const HTTP_ERROR_CLASSES = new Map([
    [429, (_code, message, headers) => new RateLimitReachedError({ message, headers })],
]);
/**
 * The error for an HTTP status (`exception_from_message`): a RateLimitReachedError for 429,
 * whatever the status table says for others, and a BaseHTTPError otherwise. For every status, a
 * `Retry-After` given as an HTTP-date becomes delta seconds in the error's `headers` (as libcloud
 * rewrites it); the caller's `headers` object is never changed.
 */
export function exceptionFromMessage(code, message, headers = {}) {
    const copy = { ...headers };
    for (const name of Object.keys(copy)) {
        if (name.toLowerCase() !== "retry-after")
            continue;
        const value = copy[name];
        if (typeof value === "string" && isHttpDate(value)) {
            const seconds = parseRetryAfter(value);
            if (seconds !== undefined)
                copy[name] = String(seconds);
        }
    }
    const factory = HTTP_ERROR_CLASSES.get(code);
    return factory ? factory(code, message, copy) : new BaseHTTPError(code, message, copy);
}
/** Whether a `Retry-After` value has the shape of an HTTP-date (not delta seconds). */
function isHttpDate(value) {
    return /[a-z]/i.test(value) && value.includes(":");
}
