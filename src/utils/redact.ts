// Port of libcloud/utils/loggingconnection.py's header handling, hardened: secrets never leave
// libcloud-ts in an error, a log line, a curl command or a fixture. This module holds the allowlists
// and the scrubbing; src/utils/show.ts applies them to every object a user can hold.
import { createHash } from "node:crypto";
import { parseJson, safeJson, stringifyJson } from "./json.js";
import { parseXml, serializeXml } from "./xml.js";

/** JSON.stringify that never throws; kept here for existing imports (it lives in ./json.ts, which imports nothing). */
export { safeJson };

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
  // S3 sub-resources (often bare: `?uploads`, `?acl`) and multipart bookkeeping
  "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "policy", "restore", "tagging",
  "torrent", "uploads", "versioning", "versions", "website", "uploadid", "partnumber", "encoding-type",
  "continuation", "fetch-owner", "key-marker", "upload-id-marker", "max-uploads", "max-parts", "part-number-marker",
]);

/** Words that mark a name (header, query parameter, JSON field) as a secret wherever it appears. */
const SECRET_NAME = /pass|secret|token|key|sig|auth|cred|cookie|session/i;

/** True when a header or parameter name suggests a credential. */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}


/**
 * Strips userinfo and redacts the values of query parameters that are not on the allowlist.
 * Accepts absolute URLs and origin-relative paths; never throws.
 */
export function redactUrl(url: string, safeParams: ReadonlySet<string> = SAFE_QUERY_PARAMS): string {
  let out = stripUserinfo(url);
  const q = out.indexOf("?");
  if (q < 0) return out;
  const query = out.slice(q + 1).split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0) return pair === "" || safeParams.has(decodeComponent(pair).toLowerCase()) ? pair : REDACTED;
    const name = pair.slice(0, eq);
    let decoded = name;
    try { decoded = decodeURIComponent(name.replace(/\+/g, " ")); } catch { /* keep raw */ }
    return safeParams.has(decoded.toLowerCase()) ? pair : `${name}=${REDACTED}`;
  });
  out = out.slice(0, q + 1) + query.join("&");
  return out;
}

/** Secrets shorter than this are never scrubbed from text (they would replace ordinary words). */
export const MIN_SCRUB_LENGTH = 4;
/** Secrets shorter than this are scrubbed only where they stand as a whole token; longer ones anywhere. */
export const WHOLE_TOKEN_BELOW = 16;
/** Secrets shorter than this are too short to scrub safely: recording warns about them. */
export const SAFE_SCRUB_LENGTH = 8;

/**
 * The forms in which a server or a serializer may echo a secret: as is, percent-encoded (both
 * `%20` and `+`), JSON-escaped (with and without `\/`), and XML-escaped.
 */
export function secretVariants(secret: string): string[] {
  const out = new Set<string>([secret]);
  try {
    const encoded = encodeURIComponent(secret);
    out.add(encoded);
    out.add(encoded.replace(/%20/g, "+"));
    out.add(encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  } catch {
    // A lone surrogate cannot be percent-encoded: the raw form is still scrubbed.
  }
  const json = JSON.stringify(secret).slice(1, -1);
  out.add(json);
  out.add(json.replace(/\//g, "\\/"));
  out.add(secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;"));
  out.add(secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"));
  return [...out];
}

const compiled = new WeakMap<object, { size: number; regex: RegExp | null }>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One regex for a set of secrets: longest first; short ones only as whole tokens. */
function scrubRegex(secrets: Iterable<string>): RegExp | null {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SCRUB_LENGTH) continue;
    for (const v of secretVariants(secret)) if (v.length >= MIN_SCRUB_LENGTH) all.add(v);
  }
  if (all.size === 0) return null;
  const list = [...all].sort((a, b) => b.length - a.length);
  const parts = list.map((v) => {
    const body = escapeRegex(v);
    if (v.length >= WHOLE_TOKEN_BELOW) return body;
    // Whole token: not glued to a letter or digit on a side where the secret itself has one (a
    // percent-escape before it, as in `%3D<secret>`, counts as a boundary).
    const head = /^[A-Za-z0-9]/.test(v) ? "(?<=^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})" : "";
    const tail = /[A-Za-z0-9]$/.test(v) ? "(?![A-Za-z0-9])" : "";
    return `${head}${body}${tail}`;
  });
  return new RegExp(parts.join("|"), "g");
}

/**
 * Replaces each secret (and its {@link secretVariants}) in text with REDACTED. Secrets shorter
 * than {@link MIN_SCRUB_LENGTH} are left alone, and those shorter than {@link WHOLE_TOKEN_BELOW}
 * are replaced only as whole tokens, so a short key such as `test` never turns `latest` into
 * `laREDACTED`. The compiled pattern is cached per Set while the Set keeps its size.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  if (text === "") return text;
  let regex: RegExp | null;
  if (secrets instanceof Set) {
    const cached = compiled.get(secrets);
    if (cached !== undefined && cached.size === secrets.size) {
      regex = cached.regex;
    } else {
      regex = scrubRegex(secrets);
      compiled.set(secrets, { size: secrets.size, regex });
    }
  } else {
    regex = scrubRegex(secrets);
  }
  if (regex === null) return text;
  regex.lastIndex = 0;
  return text.replace(regex, REDACTED);
}

/** {@link scrubSecrets} for bytes (binary-looking bodies): every secret's UTF-8 bytes replaced. */
export function scrubSecretBytes(bytes: Buffer, secrets: Iterable<string>): Buffer {
  let out = bytes;
  const list = [...new Set([...secrets].filter((s) => typeof s === "string" && s.length >= SAFE_SCRUB_LENGTH).flatMap(secretVariants))]
    .sort((a, b) => b.length - a.length);
  const replacement = Buffer.from(REDACTED);
  for (const secret of list) {
    const needle = Buffer.from(secret, "utf8");
    let at = out.indexOf(needle);
    if (at < 0) continue;
    const pieces: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      pieces.push(out.subarray(from, at), replacement);
      from = at + needle.length;
      at = out.indexOf(needle, from);
    }
    pieces.push(out.subarray(from));
    out = Buffer.concat(pieces);
  }
  return out;
}

/** How many characters of a message (or shown body) are kept; the rest is cut, saying how much. */
export const MESSAGE_LIMIT = 4096;

/** `text` cut to `limit` characters with a note of how many were cut. */
export function cutText(text: string, limit: number = MESSAGE_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… [${text.length - limit} more characters cut]`;
}

/** A short, stable, non-reversible tag for a text (fixture names shortened to fit the file system). */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

// ---- Redaction rules shared by the debug log and fixture recording -----------------------------

/**
 * JSON / form body field names that hold secrets even when a connection declares nothing:
 * `password`, `apiKey`, `access_token`, `clientSecret`, `privateKey`, `credentials` …
 * (matched on the whole name, so `keyName` or `author` are left alone).
 */
const SECRET_FIELD = /^(?:.*[_-])?(?:pass(?:word|wd|phrase)?|secret|token|api_?key|private_?key|credentials?|signature)$|(?:Password|Passwd|Passphrase|Secret|Token|ApiKey|PrivateKey|Credentials?|Signature)$|^(?:apikey|secretkey|accesstoken|refreshtoken|idtoken|sessiontoken|securitytoken)$/i;

/** What a connection declares sensitive, beyond the built-in allowlists (static members of its class). */
export interface SensitiveDeclarations {
  /** Header names (any case) whose values are secrets. */
  headers: ReadonlySet<string>;
  /** Query (and form) parameter names whose values are secrets. */
  params: ReadonlySet<string>;
  /** JSON (and XML element) field names whose values are secrets. */
  bodyFields: ReadonlySet<string>;
}

function lowerSet(value: unknown): Set<string> {
  const out = new Set<string>();
  if (value !== null && typeof value === "object" && Symbol.iterator in value) {
    for (const item of value as Iterable<unknown>) if (typeof item === "string") out.add(item.toLowerCase());
  }
  return out;
}

/**
 * The declarations of a connection: `sensitiveHeaders`, `sensitiveParams` and `sensitiveBodyFields`
 * (arrays or sets of names) on the instance and as statics up its class chain, merged.
 */
export function sensitiveDeclarations(connection: object | null | undefined): SensitiveDeclarations {
  const headers = new Set<string>();
  const params = new Set<string>();
  const bodyFields = new Set<string>();
  const own = connection as { sensitiveHeaders?: unknown; sensitiveParams?: unknown; sensitiveBodyFields?: unknown } | null | undefined;
  for (const h of lowerSet(own?.sensitiveHeaders)) headers.add(h);
  for (const p of lowerSet(own?.sensitiveParams)) params.add(p);
  for (const f of lowerSet(own?.sensitiveBodyFields)) bodyFields.add(f);
  let cls: unknown = connection?.constructor;
  while (typeof cls === "function" && cls !== Object && cls !== Function.prototype) {
    const statics = cls as { sensitiveHeaders?: unknown; sensitiveParams?: unknown; sensitiveBodyFields?: unknown };
    for (const h of lowerSet(statics.sensitiveHeaders)) headers.add(h);
    for (const p of lowerSet(statics.sensitiveParams)) params.add(p);
    for (const f of lowerSet(statics.sensitiveBodyFields)) bodyFields.add(f);
    cls = Object.getPrototypeOf(cls);
  }
  return { headers, params, bodyFields };
}

/** True when a body field (JSON key, form field, XML element) should be redacted. */
export function isSensitiveField(name: string, declared: ReadonlySet<string>): boolean {
  return declared.has(name.toLowerCase()) || SECRET_FIELD.test(name);
}

/** Adds a secret value and the parts a server may echo back (the token of `Bearer x`, Basic's password). */
export function addSecret(secrets: Set<string>, value: string | undefined | null): void {
  if (typeof value !== "string" || value.length === 0) return;
  secrets.add(value);
  const scheme = /^([A-Za-z][A-Za-z0-9_-]*)\s+(.+)$/.exec(value);
  if (scheme === null) return;
  const rest = scheme[2]!;
  secrets.add(rest);
  if (scheme[1]!.toLowerCase() === "basic") {
    const decoded = Buffer.from(rest, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) {
      secrets.add(decoded);
      secrets.add(decoded.slice(colon + 1));
    }
  }
  // Signed schemes (AWS4-HMAC-SHA256 Credential=…, Signature=…; SharedKey account:sig) carry parts.
  for (const m of rest.matchAll(/(?:^|[\s,])[A-Za-z]+=([^,\s]+)/g)) secrets.add(m[1]!);
  const colon = rest.lastIndexOf(":");
  if (colon > 0 && !rest.includes(" ")) secrets.add(rest.slice(colon + 1));
}

/** Adds the values of a `Cookie` / `Set-Cookie` header one by one (a server may echo any of them). */
export function addCookieSecrets(secrets: Set<string>, value: string): void {
  for (const part of value.split(/[;,]/)) {
    const eq = part.indexOf("=");
    const v = (eq < 0 ? "" : part.slice(eq + 1)).trim().replace(/^"|"$/g, "");
    if (v.length > 0) addSecret(secrets, v);
  }
}

/** A value that is a URL or a path with a query (`x-ms-copy-source`, `Location`): its query is redacted. */
function redactUrlValue(value: string, params: ReadonlySet<string>, secrets: Set<string>): string {
  if (!/^(?:[a-z][a-z0-9+.-]*:\/\/|\/)/i.test(value) || !/[?@]/.test(value)) return value;
  return redactTarget(value, params, secrets);
}

/**
 * Redacts request header values: a header keeps its value only when it is on the allowlist and
 * not declared sensitive (and a URL value keeps only its allowlisted query parameters: a SAS
 * `sig=` inside `x-ms-copy-source` is redacted). Every redacted value is added to `secrets`.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>, declared: ReadonlySet<string>, secrets: Set<string>,
  safe: ReadonlySet<string> = SAFE_HEADERS, params: ReadonlySet<string> = EMPTY): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (safe.has(lower) && !declared.has(lower)) {
      out[name] = typeof value === "string" ? redactUrlValue(value, params, secrets) : value;
    } else {
      if (lower === "cookie") addCookieSecrets(secrets, String(value));
      if (isScrubWorthy(name, String(value), declared)) addSecret(secrets, String(value));
      out[name] = REDACTED;
    }
  }
  return out;
}

const EMPTY: ReadonlySet<string> = new Set();

/** Response header names whose values are secrets (besides those a connection declares). */
const SECRET_RESPONSE_HEADER = /cookie|token|secret|password|passwd|credential|session|api-?key|authorization|signature|x-amz-security/i;

/** Whether a response header's value is hidden (Set-Cookie, tokens, declared names). */
export function isSecretResponseHeader(name: string, declared: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return declared.has(lower) || SECRET_RESPONSE_HEADER.test(lower);
}

/**
 * Redacts response header values: secret names (Set-Cookie, tokens, declared headers) become
 * REDACTED, their values added to `secrets`; URL values keep only allowlisted query parameters.
 */
export function redactResponseHeaders(headers: Readonly<Record<string, string>>, declared: ReadonlySet<string>, secrets: Set<string>,
  params: ReadonlySet<string> = EMPTY): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretResponseHeader(name, declared)) {
      const text = String(value);
      if (/cookie/i.test(name)) addCookieSecrets(secrets, text);
      addSecret(secrets, text);
      out[name] = REDACTED;
    } else {
      out[name] = typeof value === "string" ? redactUrlValue(value, params, secrets) : value;
    }
  }
  return out;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Redacts an `a=1&b=2` string (a query or a form body): values of names off the allowlist, or
 * declared sensitive, become REDACTED and are added to `secrets` (raw and decoded).
 */
export function redactQueryString(query: string, declared: ReadonlySet<string>, secrets: Set<string>,
  safe: ReadonlySet<string> = SAFE_QUERY_PARAMS): string {
  if (query === "") return query;
  return query.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0) {
      // A bare word (`?uploads`, or `?<token>`): kept only when it is an allowlisted name.
      const bare = decodeComponent(pair).toLowerCase();
      if (pair === "" || (safe.has(bare) && !declared.has(bare))) return pair;
      if (TOKEN_LIKE.test(decodeComponent(pair))) {
        secrets.add(pair);
        addSecret(secrets, decodeComponent(pair));
      }
      return REDACTED;
    }
    const name = decodeComponent(pair.slice(0, eq)).toLowerCase();
    if (safe.has(name) && !declared.has(name)) return pair;
    const raw = pair.slice(eq + 1);
    if (raw === "") return pair;
    const decoded = decodeComponent(raw);
    if (isScrubWorthy(name, decoded, declared)) {
      secrets.add(raw);
      addSecret(secrets, decoded);
    }
    return `${pair.slice(0, eq)}=${REDACTED}`;
  }).join("&");
}

/**
 * A value that could be a credential: token characters only (no spaces, quotes or markup), and
 * either 8 or more of them with a digit, or 20 or more (`text/plain` and `Forbidden` are words).
 */
const TOKEN_LIKE = /^(?=[^]*[0-9])[A-Za-z0-9+/=_\-.~%:]{8,}$|^[A-Za-z0-9+/=_\-.~%:]{20,}$/;

/**
 * Whether a value redacted only for being off an allowlist is also scrubbed from the rest of the
 * exchange: always for declared or secret-looking names, else only when it looks like a credential
 * (`X-Debug: true` must not turn every `true` in a body into REDACTED, nor a query value that
 * carries prose or a document turn an error message into REDACTED).
 */
function isScrubWorthy(name: string, value: string, declared: ReadonlySet<string>): boolean {
  return declared.has(name.toLowerCase()) || looksSecret(name) || TOKEN_LIKE.test(value);
}

/** An absolute URL without its userinfo (up to the last `@` before the path); the password is added to `secrets`. */
export function stripUserinfo(url: string, secrets?: Set<string>): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme === null) return url;
  const start = scheme[0].length;
  const slash = url.indexOf("/", start);
  const authorityEnd = slash < 0 ? url.length : slash;
  const at = url.lastIndexOf("@", authorityEnd);
  if (at < start) return url;
  if (secrets !== undefined) {
    const userinfo = url.slice(start, at);
    const colon = userinfo.indexOf(":");
    if (colon >= 0 && colon + 1 < userinfo.length) addSecret(secrets, decodeComponent(userinfo.slice(colon + 1)));
  }
  return url.slice(0, start) + url.slice(at + 1);
}

/** A path with its query redacted (see {@link redactQueryString}); userinfo is stripped. */
export function redactTarget(target: string, declared: ReadonlySet<string>, secrets: Set<string>): string {
  const out = stripUserinfo(target, secrets);
  const q = out.indexOf("?");
  return q < 0 ? out : `${out.slice(0, q + 1)}${redactQueryString(out.slice(q + 1), declared, secrets)}`;
}

/**
 * A form body with sensitive fields redacted: declared parameters, declared body fields and names
 * that look like secrets (`password`, `client_secret` …). Other fields are kept: a body is the
 * caller's data, not a signature carrier, so it is not allowlisted.
 */
export function redactFormBody(body: string, declared: SensitiveDeclarations, secrets: Set<string>): string {
  return body.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0) return pair;
    const name = decodeComponent(pair.slice(0, eq));
    if (!declared.params.has(name.toLowerCase()) && !isSensitiveField(name, declared.bodyFields)) return pair;
    const raw = pair.slice(eq + 1);
    if (raw === "") return pair;
    secrets.add(raw);
    addSecret(secrets, decodeComponent(raw));
    return `${pair.slice(0, eq)}=${REDACTED}`;
  }).join("&");
}

/**
 * A copy of a parsed JSON value with sensitive fields' values replaced (at any depth; iterative,
 * so deep documents cannot overflow the stack). Redacted scalar values are added to `secrets`.
 */
export function redactJsonValue(value: unknown, declared: ReadonlySet<string>, secrets: Set<string>, report?: { changed: boolean }): unknown {
  const collect = (v: unknown): void => {
    const stack = [v];
    while (stack.length > 0) {
      const item = stack.pop();
      if (typeof item === "string") addSecret(secrets, item);
      else if (typeof item === "number" || typeof item === "bigint") secrets.add(String(item));
      else if (item !== null && typeof item === "object") stack.push(...(Object.values(item) as unknown[]));
    }
  };
  // defineProperty, not assignment: a JSON "__proto__" key must stay a plain key.
  const put = (target: object, key: string | number, v: unknown): void => {
    Object.defineProperty(target, key, { value: v, writable: true, enumerable: true, configurable: true });
  };
  const root: { v: unknown } = { v: undefined };
  const work: Array<[unknown, object, string | number]> = [[value, root, "v"]];
  while (work.length > 0) {
    const [src, parent, key] = work.pop()!;
    if (Array.isArray(src)) {
      const copy: unknown[] = new Array<unknown>(src.length);
      put(parent, key, copy);
      for (let i = 0; i < src.length; i++) work.push([src[i], copy, i]);
    } else if (src !== null && typeof src === "object") {
      const copy: Record<string, unknown> = {};
      put(parent, key, copy);
      const pending: Array<[unknown, object, string]> = [];
      for (const [k, v] of Object.entries(src)) {
        // A declared field goes whole; a name that only looks secret (`passwordCredentials`) is
        // redacted when it holds a scalar, and searched when it holds an object.
        const whole = declared.has(k.toLowerCase()) || (isSensitiveField(k, declared) && (v === null || typeof v !== "object"));
        if (whole && v !== null && v !== "") {
          collect(v);
          if (report !== undefined) report.changed = true;
          put(copy, k, REDACTED);
        } else {
          put(copy, k, undefined); // keeps the key order; filled in below
          pending.push([v, copy, k]);
        }
      }
      work.push(...pending);
    } else {
      put(parent, key, src);
    }
  }
  return root.v;
}

/** The fields of a connection (or anything given in its place) that connectionSecrets reads. */
interface SecretHolder {
  key?: unknown;
  secret?: unknown;
  keyPassphrase?: unknown;
  keyFile?: unknown;
  userId?: unknown;
  proxyUrl?: unknown;
  driver?: { key?: unknown; secret?: unknown } | null;
  connection?: { proxy?: { password?: unknown } | null } | null;
}

/**
 * The values a connection knows to be secret: its key, its driver's secret, key passphrase and
 * the proxy password. The key (an account name for some providers) is scrubbed too: better a
 * redacted name than a leaked key.
 */
export function connectionSecrets(value: unknown): Set<string> {
  const secrets = new Set<string>();
  if (value === null || typeof value !== "object") return secrets;
  const connection = value as SecretHolder;
  const add = (v: unknown): void => {
    if (typeof v === "string" && v.length > 0) secrets.add(v);
  };
  add(connection.key);
  add(connection.secret);
  add(connection.keyPassphrase);
  add(connection.driver?.key);
  add(connection.driver?.secret);
  const proxy = proxyPassword(connection.proxyUrl);
  if (proxy !== undefined) {
    secrets.add(proxy);
    secrets.add(encodeURIComponent(proxy));
  }
  const transportProxy = connection.connection?.proxy?.password;
  add(transportProxy);
  if (typeof transportProxy === "string" && transportProxy.length > 0) secrets.add(encodeURIComponent(transportProxy));
  if (typeof connection.keyFile === "string" && connection.keyFile.includes("-----BEGIN")) secrets.add(connection.keyFile);
  // The user id of a ConnectionUserAndKey is the identity, not the secret: a driver whose own `key`
  // is that id (Azure's account name, a user name) would otherwise have it scrubbed from every URL.
  const userId: unknown = connection.userId;
  if (typeof userId === "string" && userId !== connection.key && userId !== connection.secret) secrets.delete(userId);
  return secrets;
}

/** The password of a proxy URL (decoded), if it has one. */
export function proxyPassword(proxyUrl: unknown): string | undefined {
  if (typeof proxyUrl !== "string") return undefined;
  try {
    const url = new URL(proxyUrl);
    return url.password === "" ? undefined : decodeURIComponent(url.password);
  } catch {
    return undefined;
  }
}

/**
 * A proxy URL with its password replaced by REDACTED. The userinfo ends at the last `@` of the
 * authority, so a raw `@`, `:` or `/` in the password never leaks a piece of it.
 */
export function redactProxyUrl(proxyUrl: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(proxyUrl);
  const start = scheme === null ? 0 : scheme[0].length;
  const at = proxyUrl.lastIndexOf("@");
  if (at < start) return proxyUrl;
  const userinfo = proxyUrl.slice(start, at);
  const colon = userinfo.indexOf(":");
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  return `${proxyUrl.slice(0, start)}${user}${colon < 0 ? "" : `:${REDACTED}`}${proxyUrl.slice(at)}`;
}

// ---- Bodies ---------------------------------------------------------------------------------------

/** How a body is redacted and shown. */
export interface BodyRedaction {
  /** Redact (false only in the debug log's unsafe mode). */
  redact: boolean;
  /** Pretty-print JSON (indent 4, keys sorted, as libcloud) and XML. */
  pretty?: boolean | undefined;
  /** False when the text is only the start of the body (cut at a limit): it is not parsed. */
  complete?: boolean | undefined;
}

/**
 * A body's text with its sensitive fields redacted (JSON keys, XML elements and attributes, form
 * fields, at any depth) and, when asked, pretty-printed. Unparseable or cut bodies (a DOCTYPE, the
 * first 64 KiB of a document) get the same rules by pattern. Redacted values are added to
 * `secrets`, so the caller's {@link scrubSecrets} removes their echoes. Never throws.
 */
export function redactBodyText(text: string, contentType: string, declared: SensitiveDeclarations, secrets: Set<string>,
  options: BodyRedaction): string {
  try {
    return redactBodyUnsafe(text, contentType, declared, secrets, options);
  } catch {
    return options.redact ? redactByPattern(text, declared, secrets) : text;
  }
}

function redactBodyUnsafe(text: string, contentType: string, declared: SensitiveDeclarations, secrets: Set<string>,
  options: BodyRedaction): string {
  const { redact } = options;
  const pretty = options.pretty === true;
  const complete = options.complete !== false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const trimmed = text.trimStart();
  if (/json/.test(type) || (type === "" && /^[[{]/.test(trimmed))) {
    if (!complete) return redact ? redactByPattern(text, declared, secrets) : text;
    let parsed: unknown;
    try {
      parsed = parseJson(text);
    } catch {
      return redact ? redactByPattern(text, declared, secrets) : text;
    }
    const report = { changed: false };
    const out = redact ? redactJsonValue(parsed, declared.bodyFields, secrets, report) : parsed;
    if (pretty) return stringifyJson(out, 4, true);
    return report.changed ? stringifyJson(out) : text;
  }
  if (/xml/.test(type) || (type === "" && trimmed.startsWith("<"))) {
    if (!redact && !pretty) return text;
    if (!complete) return redact ? redactByPattern(text, declared, secrets) : text;
    let root;
    try {
      // The hardened parser: no DTD entity expansion, no external entities, bounded depth.
      root = parseXml(text);
    } catch {
      return redact ? redactByPattern(text, declared, secrets) : text;
    }
    let changed = false;
    if (redact) {
      for (const el of root.iter()) {
        const local = el.tag.replace(/^\{[^}]*\}/, "");
        if (isSensitiveField(local, declared.bodyFields) && el.text !== null && el.text.trim() !== "") {
          addSecret(secrets, el.text.trim());
          el.text = REDACTED;
          changed = true;
        }
        for (const name of Object.keys(el.attrib)) {
          const value = el.attrib[name]!;
          if (value !== "" && isSensitiveField(name.replace(/^\{[^}]*\}/, ""), declared.bodyFields)) {
            addSecret(secrets, value);
            el.attrib[name] = REDACTED;
            changed = true;
          }
        }
      }
    }
    return pretty || changed ? serializeXml(root, { pretty }) : text;
  }
  if (/x-www-form-urlencoded/.test(type) && redact) return redactFormBody(text, declared, secrets);
  return redact ? redactByPattern(text, declared, secrets) : text;
}

/**
 * The rules of {@link redactBodyText} by pattern, for text that is not (or not all) a parseable
 * document: `"name": "value"` JSON pairs (escapes included), `<Name>value</Name>` elements and
 * `name="value"` attributes whose name is sensitive.
 */
export function redactByPattern(text: string, declared: SensitiveDeclarations, secrets: Set<string>): string {
  const fields = declared.bodyFields;
  let out = text.replace(/("((?:[^"\\]|\\.){1,200})"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (all, head: string, name: string, value: string) => {
    if (value === "" || !isSensitiveField(unescapeJson(name), fields)) return all;
    addSecret(secrets, unescapeJson(value));
    secrets.add(value);
    return `${head}"${REDACTED}"`;
  });
  out = out.replace(/<((?:[\w.-]+:)?([\w.-]+))(\s[^<>]*)?>([^<]+)<\/\1\s*>/g, (all, tag: string, local: string, attrs: string | undefined, value: string) => {
    if (value.trim() === "" || !isSensitiveField(local, fields)) return all;
    addSecret(secrets, value.trim());
    return `<${tag}${attrs ?? ""}>${REDACTED}</${tag}>`;
  });
  out = out.replace(/(\s(?:[\w.-]+:)?([\w.-]+)\s*=\s*)("[^"<>]*"|'[^'<>]*')/g, (all, head: string, local: string, quoted: string) => {
    const value = quoted.slice(1, -1);
    if (value === "" || !isSensitiveField(local, fields)) return all;
    addSecret(secrets, value);
    return `${head}${quoted[0]}${REDACTED}${quoted[0]}`;
  });
  return out;
}

function unescapeJson(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/** Whether bytes look binary for their content type (not a text type, a NUL, or not UTF-8). */
export function looksBinary(bytes: Buffer, contentType: string): boolean {
  if (!TEXT_TYPE.test(contentType.split(";")[0]!.trim())) return true;
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    // A body cut at a limit may end inside a character: judge it without its last 3 bytes.
    if (bytes.length < 4) return true;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, bytes.length - 3));
      return false;
    } catch {
      return true;
    }
  }
}

const TEXT_TYPE = /^(text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|x-www-form-urlencoded|javascript|x-yaml|yaml)\b)|^$/i;

/** What a request carries that identifies its secrets (a transport request or a LibcloudRequest). */
export interface RequestLike {
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
  readonly url?: string | undefined;
  readonly body?: unknown;
  readonly data?: unknown;
}

/**
 * The secrets of one exchange: the connection's own ({@link connectionSecrets}) and what the
 * request carries (header values off the allowlist, query values off the allowlist, URL userinfo,
 * sensitive body fields), with the connection's declarations.
 */
export function requestSecrets(connection: unknown, request: RequestLike | null | undefined): { declared: SensitiveDeclarations; secrets: Set<string> } {
  const declared = sensitiveDeclarations(connection as object | null | undefined);
  const secrets = connectionSecrets(connection);
  if (request === null || request === undefined) return { declared, secrets };
  const headers: Record<string, string> = {};
  let contentType = "";
  for (const [k, v] of Object.entries(request.headers ?? {})) {
    if (typeof v === "string" || typeof v === "number") headers[k] = String(v);
    if (k.toLowerCase() === "content-type" && typeof v === "string") contentType = v;
  }
  redactHeaders(headers, declared.headers, secrets, SAFE_HEADERS, declared.params);
  if (typeof request.url === "string") redactTarget(request.url, declared.params, secrets);
  const body = request.body ?? request.data;
  const text = typeof body === "string" ? body : body instanceof Uint8Array && body.length <= 1024 * 1024 ? Buffer.from(body).toString("utf8") : undefined;
  if (text !== undefined && text.length <= 1024 * 1024) redactBodyText(text, contentType, declared, secrets, { redact: true });
  return { declared, secrets };
}
