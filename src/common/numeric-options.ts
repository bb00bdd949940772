// Numeric option checks shared by the connection (src/common/base/options.ts) and the transport,
// which checks what reaches it another way (a transportOptions() override, a direct caller): one
// rule for what a timeout, a size or a count may be, so no value a timer cannot hold gets through.
import { describeValue } from "../utils/describe-value.js";
import { ConfigError } from "./types.js";

/** The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How many times `timeout` the overall deadline of a buffered request is (TransportOptions.requestDeadline). */
export const REQUEST_DEADLINE_FACTOR = 10;

/** A duration in ms: a finite number > 0 that a timer can hold (at most {@link MAX_TIMER_MS}). */
export function checkDuration(name: string, value: unknown, max = MAX_TIMER_MS): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a finite number of milliseconds > 0, got ${describeValue(value)}`);
  }
  if (value > max) throw new ConfigError(`${name} must be at most ${max} ms, got ${value}`);
  return value;
}

/**
 * A request timeout: a duration whose derived overall deadline ({@link REQUEST_DEADLINE_FACTOR} ×
 * timeout) a timer can still hold, so at most 214,748,364 ms (about 2.5 days).
 */
export function checkTimeout(value: unknown): number {
  const max = Math.floor(MAX_TIMER_MS / REQUEST_DEADLINE_FACTOR);
  if (typeof value === "number" && Number.isFinite(value) && value > max) {
    throw new ConfigError(`timeout must be at most ${max} ms (its overall request deadline, ${REQUEST_DEADLINE_FACTOR} × timeout, must fit a timer's ${MAX_TIMER_MS} ms), got ${value}`);
  }
  return checkDuration("timeout", value);
}

/** A size in bytes: a non-negative safe integer. */
export function checkByteCount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`${name} must be a whole number of bytes >= 0, got ${describeValue(value)}`);
  }
  return value;
}

/** A count: an integer >= 1. */
export function checkCount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be an integer >= 1, got ${describeValue(value)}`);
  }
  return value;
}
