// Options are normalised once: unknown keys are a TypeError naming the key, values are checked
// (docs/STYLE.md "Options are normalised once"). Objects parsed from JSON with __proto__ keys are safe:
// only own keys are read, and nothing is merged into a prototype.
import { describeValue } from "../../utils/describe-value.js";
import { ConfigError } from "../types.js";

export { describeValue };

/** Throws a TypeError naming the first key of `options` that is not in `allowed`. */
export function checkOptionKeys(options: object | undefined | null, allowed: ReadonlySet<string>, where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new TypeError(`${where}: options must be an object, got ${typeof options}`);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      const hint = [...allowed].find((k) => k.toLowerCase() === key.replace(/_/g, "").toLowerCase());
      throw new TypeError(`${where}: unknown option "${key}"${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`);
    }
  }
}

/** A duration in ms: a finite number > 0. */
export function checkDuration(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a finite number of milliseconds > 0, got ${describeValue(value)}`);
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

/** A backoff multiplier: a finite number >= 1. */
export function checkBackoff(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1) {
    throw new ConfigError(`backoff must be a finite number >= 1, got ${describeValue(value)}`);
  }
  return value;
}

/** A TCP port: an integer from 1 to 65535. */
export function checkPort(value: unknown): number {
  const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`port must be an integer from 1 to 65535, got ${describeValue(value)}`);
  }
  return port;
}

/** A host name or IP literal (IPv6 with or without brackets); returned without brackets. */
export function checkHost(value: unknown): string {
  if (typeof value !== "string" || value === "") throw new ConfigError(`host must be a non-empty string, got ${JSON.stringify(value)}`);
  const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (bare.includes(":")) {
    if (!/^[0-9a-fA-F:.]+(%[\w.-]+)?$/.test(bare)) throw new ConfigError(`host is not a valid IPv6 literal: ${JSON.stringify(value)}`);
    return bare;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(bare) || bare.length > 253) {
    throw new ConfigError(`host must be a host name or IP address (no scheme, path, port or spaces), got ${JSON.stringify(value)}`);
  }
  return bare;
}
