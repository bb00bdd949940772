// Secrets never leave libcloud-ts in an error, a log line or a curl command.
// This module holds the allowlists and the scrubbing used by errors, the debug log and recording.

/** The placeholder that replaces a redacted value. */
export const REDACTED = "REDACTED";

/**
 * Request headers whose values are safe to show. Everything else is redacted in the debug log
 * unless the log runs in unsafe mode.
 */
export const SAFE_HEADERS: ReadonlySet<string> = new Set([
  "accept", "accept-encoding", "accept-language", "accept-ranges", "age", "cache-control", "connection",
  "content-disposition", "content-encoding", "content-language", "content-length", "content-md5",
  "content-range", "content-type", "date", "etag", "expect", "expires", "host", "if-match",
  "if-modified-since", "if-none-match", "if-unmodified-since", "keep-alive", "last-modified", "location",
  "range", "retry-after", "server", "transfer-encoding", "user-agent", "vary", "via",
  "x-request-id", "x-libcloud-request-id", "x-ms-request-id", "x-ms-client-request-id", "x-ms-version",
  "x-ms-date", "x-ms-blob-type", "x-ms-error-code", "x-ms-copy-status", "x-ms-copy-id", "x-ms-copy-source",
  "x-ms-blob-content-type", "x-ms-blob-content-md5", "x-ms-blob-content-length", "x-ms-lease-state",
  "x-ms-lease-status", "x-ms-server-encrypted", "x-ms-request-server-encrypted", "x-ms-creation-time",
  "x-ms-access-tier", "x-ms-access-tier-inferred", "x-ms-blob-committed-block-count", "x-ms-content-crc64",
  "x-amz-request-id", "x-amz-id-2", "x-amz-date", "x-amz-content-sha256", "x-goog-generation",
]);

/** Query parameters whose values are safe to show. */
export const SAFE_QUERY_PARAMS: ReadonlySet<string> = new Set([
  "action", "api-version", "blockid", "comp", "continuation-token", "delimiter", "include", "limit",
  "marker", "max-keys", "maxresults", "offset", "page", "per_page", "prefix", "restype", "timeout",
  "version", "versionid", "cache-busting", "format", "list-type", "start-after", "snapshot", "job",
]);

/** Words that mark a name (header, query parameter, JSON field) as a secret wherever it appears. */
const SECRET_NAME = /pass|secret|token|key|sig|auth|cred|cookie|session/i;

/** True when a header or parameter name suggests a credential. */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** JSON.stringify that never throws (cycles, BigInt) and falls back to String(). */
export function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

/**
 * Strips userinfo and redacts the values of query parameters that are not on the allowlist.
 * Accepts absolute URLs and origin-relative paths; never throws.
 */
export function redactUrl(url: string, safeParams: ReadonlySet<string> = SAFE_QUERY_PARAMS): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1");
  const q = out.indexOf("?");
  if (q < 0) return out;
  const query = out.slice(q + 1).split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0) return pair;
    const name = pair.slice(0, eq);
    let decoded = name;
    try { decoded = decodeURIComponent(name.replace(/\+/g, " ")); } catch { /* keep raw */ }
    return safeParams.has(decoded.toLowerCase()) ? pair : `${name}=${REDACTED}`;
  });
  out = out.slice(0, q + 1) + query.join("&");
  return out;
}

/**
 * Replaces every occurrence of each secret in text. Secrets shorter than 4 characters are ignored
 * (they would scrub ordinary words); the longest are replaced first.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const list = [...new Set([...secrets].filter((s) => typeof s === "string" && s.length >= 4))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of list) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
