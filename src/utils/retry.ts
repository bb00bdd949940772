// Port of libcloud/utils/retry.py: MinimalRetry, Retry, RetryForeverOnRateLimitError.
// Retrying is a wrapper around one async function. The decision of each step is the pure
// function calculateRetryDelay(), so tests drive it with a table and an injected clock.
import { BaseHTTPError, RateLimitReachedError } from "../common/exceptions.js";
import {
  ClientClosedError, ConfigError, DecompressionError, ProviderError, ProxyError, RedirectError,
  ResponseTooLargeError, TlsError, TransportError,
} from "../common/types.js";
import { describeValue } from "./describe-value.js";
import { abortReason, getClock, type Clock } from "./clock.js";

/** Options of the retry classes. Durations in milliseconds. */
export interface RetryOptions {
  /** First delay between attempts. @defaultValue 1000 */
  retryDelay?: number | undefined;
  /** Total time budget from the first attempt. @defaultValue 30000 */
  timeout?: number | undefined;
  /** Multiplier applied to the delay after each retry. @defaultValue 1 */
  backoff?: number | undefined;
  /** At most this fraction is added to a delay at random (never subtracted). @defaultValue 0.1 */
  jitter?: number | undefined;
  /**
   * Most attempts in all, the first included (so `1` never retries); the count bound beside the
   * time budget. `Infinity` leaves the time budget alone, as libcloud. @defaultValue {@link DEFAULT_MAX_ATTEMPTS} (10)
   */
  maxAttempts?: number | undefined;
  /** Error classes to retry instead of the default policy (`Retry` only). */
  retryExceptions?: ReadonlyArray<abstract new (...args: never[]) => unknown> | undefined;
  /** The clock (tests inject a fake one). @defaultValue the module clock */
  clock?: Clock | undefined;
}

/** The default count bound: at most 10 attempts (9 retries), whatever the time budget leaves. */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** What `onRetry` is told before each sleep. */
export interface RetryInfo {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  /** Why it failed. */
  error: unknown;
  /** How long the retry waits before the next attempt, in ms. */
  delayMs: number;
}

/** Facts about the call being retried, for `shouldRetry`. */
export interface RetryContext {
  /** The request may be re-sent even after it reached the server (GET, HEAD, PUT, DELETE, OPTIONS, or marked). */
  idempotent: boolean;
}

/** Options of `retry.wrap(fn, options)`. */
export interface WrapOptions extends Partial<RetryContext> {
  /** Cancels the attempts and the sleeps between them. */
  signal?: AbortSignal | undefined;
  /** False when the body cannot be sent twice (a consumed stream): then nothing is retried. @defaultValue true */
  replayable?: boolean | undefined;
  /** Called before each sleep. */
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /**
   * Time already spent, in ms, before the wrapped function was called: a first attempt made before
   * retrying was decided (the connection reads its module-wide switch only once an attempt fails).
   * It counts against the time budget. @defaultValue 0
   */
  elapsedMs?: number | undefined;
}

/** One retry step's input. */
export interface RetryStep {
  /** "rate-limit": a RateLimitReachedError; "retryable": accepted by shouldRetry; "fatal": anything else. */
  kind: "rate-limit" | "retryable" | "fatal";
  /** For rate limits: the server's Retry-After, in ms. */
  retryAfterMs: number | undefined;
  /** The delay this step would sleep before jitter, in ms. */
  currentDelayMs: number;
  /** The policy's first delay, in ms (a rate limit resets the delay to it). */
  retryDelayMs: number;
  /** Multiplier applied to the delay after a retryable error. */
  backoff: number;
  /** Time left in the budget (Infinity when the budget does not apply). */
  remainingMs: number;
  /** Random number in [0,1) times the jitter fraction gives the added part. */
  random: number;
  /** At most this fraction is added to the delay. */
  jitter: number;
  /** The attempt that just failed (1 for the first). @defaultValue 1 */
  attempt?: number | undefined;
  /** The count bound: no retry once `attempt` reaches it. @defaultValue Infinity */
  maxAttempts?: number | undefined;
}

/**
 * Decides one step: how long to sleep before the next attempt and the delay after that, or
 * undefined to give up now (a fatal error, the count bound reached, or a delay that would end past
 * the budget). A wait is never shorter than the retry delay: `Retry-After: 0`, a past HTTP-date or
 * an instant failure waits `retryDelayMs` (H3).
 */
export function calculateRetryDelay(step: RetryStep): {
  /** How long to sleep before the next attempt, in ms. */
  delayMs: number;
  /** The current delay of the step after that, in ms. */
  nextDelayMs: number;
} | undefined {
  if (step.kind === "fatal") return undefined;
  if ((step.attempt ?? 1) >= (step.maxAttempts ?? Infinity)) return undefined;
  if (step.kind === "rate-limit" && step.retryAfterMs !== undefined) {
    // The server named the wait: honour it (never below the retry delay), or fail now if the budget cannot cover it.
    const delayMs = Math.max(step.retryAfterMs, step.retryDelayMs);
    return delayMs <= step.remainingMs ? { delayMs, nextDelayMs: step.retryDelayMs } : undefined;
  }
  const base = step.currentDelayMs;
  if (base > step.remainingMs) return undefined;
  const delayMs = Math.min(base * (1 + step.jitter * step.random), step.remainingMs);
  const nextDelayMs = step.kind === "rate-limit" ? step.retryDelayMs : base * step.backoff;
  return { delayMs, nextDelayMs };
}

function checkNumber(name: string, value: unknown, fallback: number, { allowZero = false, min = 0 } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (!allowZero && value === 0)) {
    throw new ConfigError(`${name} must be a finite number ${allowZero ? ">=" : ">"} ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** The count bound: an integer >= 1, or `Infinity` for the time budget alone (libcloud's behaviour). */
function checkAttempts(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_ATTEMPTS;
  if (value === Infinity || typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
  throw new ConfigError(`maxAttempts must be an integer >= 1 (or Infinity), got ${describeValue(value)}`);
}

const RETRYABLE_STATUS_ALWAYS = new Set([408, 429, 503]);
const RETRYABLE_STATUS_IDEMPOTENT = new Set([500, 502, 504]);
/** TLS failures that a second try can fix (the handshake was cut, not refused). */
const TRANSIENT_TLS = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED"]);

/** Codes of requests refused before a byte was sent because the request itself is invalid. */
const REFUSED_BEFORE_SEND = new Set(["UND_ERR_NOT_SUPPORTED", "UND_ERR_INVALID_ARG", "ERR_INVALID_HEADER", "ERR_INVALID_REQUEST"]);

/**
 * Whether an error says the request itself is invalid and was refused before sending (a header the
 * transport refuses, such as `Expect: 100-continue` or a hop-by-hop header; a bad option; a
 * `TypeError` from bad input). Sending it again cannot succeed: no retry policy, `retryExceptions`
 * included, retries it (H3).
 */
export function isRefusedBeforeSend(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof ConfigError) return true;
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && REFUSED_BEFORE_SEND.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The default retry policy (docs/SPEC.md decision 1): rate limits, 408/429/503, 500/502/504 for idempotent
 * requests, and connection errors — those that never reached the server always, the others only
 * for idempotent requests. Permanent failures (TLS verification, other 4xx, bad input) never.
 */
export function isRetryableByDefault(error: unknown, context: RetryContext): boolean {
  if (isRefusedBeforeSend(error)) return false;
  if (error instanceof RateLimitReachedError) return true;
  if (error instanceof BaseHTTPError || error instanceof ProviderError) {
    const status = error.statusCode;
    return RETRYABLE_STATUS_ALWAYS.has(status) || (context.idempotent && RETRYABLE_STATUS_IDEMPOTENT.has(status));
  }
  if (error instanceof TransportError) {
    if (error instanceof ClientClosedError || error instanceof ResponseTooLargeError
      || error instanceof DecompressionError || error instanceof RedirectError) return false;
    if (error instanceof TlsError && !TRANSIENT_TLS.has(error.code)) return false;
    if (error instanceof ProxyError && error.statusCode !== undefined && error.statusCode !== 502 && error.statusCode !== 503 && error.statusCode !== 504) return false;
    return !error.requestSent || context.idempotent;
  }
  return false;
}

/**
 * Retries only rate-limit errors (`libcloud.utils.retry.MinimalRetry`): sleeps `retryAfter` when
 * the server gave one, else the current delay; never past the `timeout` budget.
 */
export class MinimalRetry {
  /** First delay between attempts, in ms. */
  readonly retryDelay: number;
  /** Total time budget from the first attempt, in ms. */
  readonly timeout: number;
  /** Multiplier applied to the delay after each retry. */
  readonly backoff: number;
  /** At most this fraction is added to a delay at random. */
  readonly jitter: number;
  /** Most attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly #clock: Clock | undefined;

  constructor(options: RetryOptions = {}) {
    this.retryDelay = checkNumber("retryDelay", options.retryDelay, 1000);
    this.timeout = checkNumber("timeout", options.timeout, 30_000);
    this.backoff = checkNumber("backoff", options.backoff, 1, { min: 1, allowZero: false });
    this.jitter = checkNumber("jitter", options.jitter, 0.1, { allowZero: true });
    this.maxAttempts = checkAttempts(options.maxAttempts);
    this.#clock = options.clock;
  }

  /** The clock in use. */
  get clock(): Clock {
    return this.#clock ?? getClock();
  }

  /** Whether an error (other than a rate limit) is worth another attempt. MinimalRetry: never. */
  shouldRetry(_error: unknown, _context: RetryContext): boolean {
    return false;
  }

  /** Whether rate-limit sleeps ignore the budget. */
  protected get retryRateLimitForever(): boolean {
    return false;
  }

  /** Wraps an async function: the result has the same signature and retries as the policy says. */
  wrap<A extends unknown[], R>(fn: (...args: A) => Promise<R>, options: WrapOptions = {}): (...args: A) => Promise<R> {
    const context: RetryContext = { idempotent: options.idempotent ?? false };
    const { signal, onRetry } = options;
    const replayable = options.replayable ?? true;
    return async (...args: A): Promise<R> => {
      const clock = this.clock;
      const deadline = clock.now() + this.timeout - (options.elapsedMs ?? 0);
      let currentDelayMs = this.retryDelay;
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw abortReason(signal);
        try {
          return await fn(...args);
        } catch (error) {
          if (signal?.aborted) throw abortReason(signal);
          const refused = isRefusedBeforeSend(error);
          const rateLimited = !refused && error instanceof RateLimitReachedError;
          const kind = refused ? "fatal" : rateLimited ? "rate-limit" : this.shouldRetry(error, context) ? "retryable" : "fatal";
          // "Forever" waits out rate limits past both bounds, but never faster than the retry delay.
          const forever = rateLimited && this.retryRateLimitForever;
          const maxAttempts = forever ? Infinity : this.maxAttempts;
          const step = calculateRetryDelay({
            kind,
            retryAfterMs: rateLimited && error.retryAfter !== undefined ? error.retryAfter * 1000 : undefined,
            currentDelayMs,
            retryDelayMs: this.retryDelay,
            backoff: this.backoff,
            remainingMs: forever ? Infinity : deadline - clock.now(),
            random: clock.random(),
            jitter: this.jitter,
            attempt,
            maxAttempts,
          });
          recordAttempts(error, attempt);
          if (step === undefined) {
            if (kind !== "fatal" && attempt >= maxAttempts) appendReason(error, `gave up after ${attempt} attempts (maxAttempts)`);
            throw error;
          }
          if (!replayable) {
            appendReason(error, "not retried: the request body is a stream that cannot be sent twice");
            throw error;
          }
          onRetry?.({ attempt, error, delayMs: step.delayMs });
          await clock.sleep(step.delayMs, signal);
          currentDelayMs = step.nextDelayMs;
        }
      }
    };
  }
}

/**
 * Retries rate limits and the errors `shouldRetry` accepts, the delay growing by `backoff`
 * (`libcloud.utils.retry.Retry`). `retryExceptions` replaces the default policy with a class list.
 */
export class Retry extends MinimalRetry {
  /** Error classes retried instead of the default policy, if given. */
  readonly retryExceptions: ReadonlyArray<abstract new (...args: never[]) => unknown> | undefined;

  constructor(options: RetryOptions = {}) {
    super(options);
    this.retryExceptions = options.retryExceptions;
  }

  override shouldRetry(error: unknown, context: RetryContext): boolean {
    if (this.retryExceptions !== undefined) return this.retryExceptions.some((cls) => error instanceof cls);
    const retryable = isRetryableByDefault(error, context);
    if (!retryable && !context.idempotent && error instanceof TransportError && error.requestSent && isRetryableByDefault(error, { idempotent: true })) {
      appendReason(error, "not retried: the request may have been processed; pass idempotent: true if it is safe to repeat");
    }
    return retryable;
  }
}

/** Like Retry, but a rate limit is waited out however long it takes (cancel with an AbortSignal). */
export class RetryForeverOnRateLimitError extends Retry {
  protected override get retryRateLimitForever(): boolean {
    return true;
  }
}

function recordAttempts(error: unknown, attempts: number): void {
  if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, "attempts", { value: attempts, enumerable: false, configurable: true, writable: true });
  }
}

function appendReason(error: unknown, reason: string): void {
  if (error instanceof Error && !error.message.includes(reason)) error.message = `${error.message} (${reason})`;
}
