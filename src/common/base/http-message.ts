// Building the request line and headers: libcloud's path joining (morph_action_hook), query
// encoding (urlencode with doseq), header normalisation (_normalize_headers) and the validation
// that keeps CR/LF/NUL and non-token methods off the wire.
import { randomBytes } from "node:crypto";
import { InvalidHeaderError, checkHeader } from "../../http/headers.js";
import type { HeaderInput, ParamValue, Params } from "./request-context.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks and upper-cases a method: a token (so no spaces, CR or LF), lower case normalised. */
export function normalizeMethod(method: unknown): string {
  if (method === "GET" || method === "HEAD" || method === "PUT" || method === "POST" || method === "DELETE") return method;
  if (typeof method !== "string" || !TOKEN.test(method)) {
    throw new TypeError(`Invalid HTTP method ${JSON.stringify(String(method)).slice(0, 80)}: a method must be an HTTP token`);
  }
  return method.toUpperCase();
}

/**
 * Headers as strings (numbers converted, as libcloud does); other value types, and what the
 * transport would refuse (src/http/headers.ts: names that are not tokens, values with control
 * characters, DEL or characters above U+00FF, hop-by-hop headers, `Expect`, a bad Content-Length)
 * are refused with an InvalidHeaderError (a TypeError) before anything is sent.
 */
export function normalizeHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || value === null) continue;
    let text: string;
    if (typeof value === "string") text = value;
    else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
    else if (typeof value === "bigint" || typeof value === "boolean") text = String(value);
    else {
      checkHeader(name, "");
      throw new InvalidHeaderError(`Invalid value for header "${name}": must be a string or a number, got ${Array.isArray(value) ? "an array" : typeof value}`, "ERR_INVALID_HEADER_VALUE", name);
    }
    const lower = checkHeader(name, text);
    // One header, one name: "V" and "v" are the same header, and which value a server, a proxy or a
    // signature would take of the two is anyone's guess.
    if (seen.has(lower)) {
      throw new InvalidHeaderError(`Header "${name}" is given twice (names differ only in case): give it once`, "ERR_DUPLICATE_HEADER", name);
    }
    seen.add(lower);
    if (lower === "proxy-authorization") {
      throw new TypeError('The "Proxy-Authorization" header is set from the proxy URL; it cannot be given per request');
    }
    out[name] = text;
  }
  return out;
}

/** Sets a header, replacing any existing one whatever its case. */
export function setHeader(headers: Record<string, string | number>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower && key !== name) delete headers[key];
  headers[name] = value;
}

/** Whether a header is present, whatever its case. */
export function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === lower && headers[k] !== undefined);
}

/** Copies headers given by a caller (never changing the caller's object). */
export function copyHeaders(headers: HeaderInput | undefined): Record<string, string | number> {
  return headers === undefined || headers === null ? {} : { ...headers };
}

/** Copies params given by a caller: an object or a list of pairs, kept in its shape. */
export function copyParams(params: Params | undefined | null): Params {
  if (params === undefined || params === null) return {};
  if (Array.isArray(params)) return params.map(([k, v]) => [k, v] as [string, ParamValue]);
  if (typeof params !== "object") throw new TypeError(`params must be an object or a list of [name, value] pairs, got ${typeof params}`);
  return { ...params };
}

/** Adds a random `cache-busting` parameter (object and list forms). */
export function addCacheBusting(params: Params): Params {
  const value = randomBytes(8).toString("hex");
  if (Array.isArray(params)) return [...params, ["cache-busting", value]];
  return { ...params, "cache-busting": value };
}

/** Python's quote_plus: unreserved characters kept, space as "+", the rest UTF-8 percent-encoded. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
}

/** A query value as libcloud's urlencode writes it; an object, function or symbol is a TypeError. */
function paramText(name: string, value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return value ? "True" : "False";
    case "number":
    case "bigint":
      return String(value);
    default:
      // Never "[object Object]" or a function's source on the wire.
      throw new TypeError(`Invalid value for query parameter ${JSON.stringify(name).slice(0, 82)}: must be a string, number, boolean or a list of them, got ${value === null ? "null" : Array.isArray(value) ? "a nested list" : typeof value}`);
  }
}

/** urlencode(params, doseq=True): arrays repeat the key; null and undefined are left out. */
export function encodeQuery(params: Params): string {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const parts: string[] = [];
  for (const [name, value] of pairs) {
    if (value === undefined || value === null) continue;
    if (typeof name !== "string") throw new TypeError(`Invalid query parameter name: must be a string, got ${typeof name}`);
    if (Array.isArray(value)) {
      for (const v of value as readonly unknown[]) parts.push(`${quotePlus(name)}=${quotePlus(paramText(name, v))}`);
    } else {
      parts.push(`${quotePlus(name)}=${quotePlus(paramText(name, value))}`);
    }
  }
  return parts.join("&");
}

/**
 * Joins `requestPath` and `action` (libcloud's morph_action_hook). With double slashes not allowed,
 * runs of "/" in the path part become one and "." / ".." segments are resolved (never above the
 * root); the query string is untouched. An action never changes the host: "http://x" or "//x" in
 * it stays part of the path. With double slashes allowed, it is plain concatenation.
 */
export function joinActionPath(requestPath: string, action: string, allowDoubleSlashes: boolean): string {
  if (allowDoubleSlashes) {
    const joined = requestPath + action;
    return joined.startsWith("/") ? joined : `/${joined}`;
  }
  const q = action.indexOf("?");
  const pathPart = q < 0 ? action : action.slice(0, q);
  const query = q < 0 ? "" : action.slice(q);
  // The usual case, an absolute path with nothing to resolve, is the concatenation itself.
  if (pathPart.startsWith("/")) {
    const simple = requestPath + pathPart;
    if (simple.startsWith("/") && !simple.includes("//") && !simple.includes("/.")) return simple + query;
  }
  return resolveActionPath(requestPath, pathPart) + query;
}

/** The path part of joinActionPath, segment by segment (what its fast path must agree with). @internal */
export function resolveActionPath(requestPath: string, pathPart: string): string {
  const segments = `${requestPath}/${pathPart}`.split("/");
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  const trailing = /\/\.{0,2}$/.test(pathPart === "" ? "/" : pathPart) && out.length > 0 ? "/" : "";
  return `/${out.join("/")}${trailing}`;
}

/** Characters allowed as they are in a path or query; everything else is percent-encoded as UTF-8. */
const URL_SAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})/gu;

/** Percent-encodes what may not appear raw in a request target (spaces, non-ASCII, backslash, CR/LF). */
export function encodeRequestTarget(target: string): string {
  URL_SAFE.lastIndex = 0;
  if (!URL_SAFE.test(target)) return target;
  URL_SAFE.lastIndex = 0;
  return target.replace(URL_SAFE, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return "%EF%BF%BD"; // a lone surrogate: U+FFFD, never a truncated byte
    }
  });
}
