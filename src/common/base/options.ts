// Options are normalised once: unknown keys are a TypeError naming the key, values are checked
// (docs/STYLE.md "Options are normalised once"). Objects parsed from JSON with __proto__ keys are safe:
// only own keys are read, and nothing is merged into a prototype.
import { describeValue } from "../../utils/describe-value.js";
import { ConfigError } from "../types.js";

export { describeValue };
// The numeric checks live below the base, where the transport can use them too.
export { MAX_TIMER_MS, REQUEST_DEADLINE_FACTOR, checkByteCount, checkCount, checkDuration, checkTimeout } from "../numeric-options.js";

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


/**
 * The `url` option: `http(s)://host[:port][/path]`. A malformed one is a ConfigError that shows
 * nothing of the URL (it may carry credentials) but what is wrong with it.
 */
export function parseConnectionUrl(url: unknown): { secure: boolean; host: string; port: number; path: string } {
  if (typeof url !== "string") throw new ConfigError(`url must be a string, got ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: Node's URL error keeps the whole input.
    throw new ConfigError("url is not a valid URL (expected http(s)://host[:port][/path]; the value is not shown, it may hold credentials)");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    // libcloud's message, without the URL it echoes.
    throw new ConfigError(`Invalid scheme: ${JSON.stringify(parsed.protocol.slice(0, -1)).slice(0, 40)} (url must use http or https)`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new ConfigError("url must not carry credentials (user:password@); pass them to the driver instead");
  }
  if (parsed.hostname === "") throw new ConfigError("url has no host");
  const secure = parsed.protocol === "https:";
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return { secure, host, port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port), path: parsed.pathname };
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
