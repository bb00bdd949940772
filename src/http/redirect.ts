// Redirects (libcloud follows them through requests' `allow_redirects`): docs/SPEC.md decision 2. Followed up
// to MAX_REDIRECTS within http/https only; to another origin the credentials go; a 303 becomes a
// bodiless GET. A pure function, so the rules can be read (and tested) in one place.

/** At most this many redirects are followed for one request (got and requests use 10 too). */
export const MAX_REDIRECTS = 10;

/** Statuses that are followed when they carry a Location. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers never sent to another origin, whatever the connection declares (RFC 9110 §15.4, CVE-2018-18074). */
export const CROSS_ORIGIN_STRIPPED: readonly string[] = ["authorization", "proxy-authorization", "cookie"];

/** Headers that describe the body, dropped with it. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-md5", "transfer-encoding"];

/** One hop of a redirected request. */
export interface Hop {
  method: string;
  /** `scheme://host[:port]`. */
  origin: string;
  /**
   * Path and query exactly as sent. Never parsed as a URL: that would resolve "..", "%2e%2e" and
   * "//host" in object names, and a "//host" path must never change the host.
   */
  path: string;
  headers: Record<string, string>;
  /** Whether the hop carries a body. */
  hasBody: boolean;
  /** Whether that body can be sent again (a string or bytes, not a consumed stream). */
  bodyReplayable: boolean;
}

/** Why a redirect is not followed. */
export class RedirectRefusal extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/**
 * The next hop for a redirect response, or a RedirectRefusal. `sensitiveHeaders` (lower case) are
 * the connection's own secrets (X-Auth-Token, x-amz-security-token, …), dropped like Authorization.
 */
export function nextHop(hop: Hop, status: number, location: string, sensitiveHeaders: readonly string[]): { hop: Hop; dropBody: boolean } {
  if (location.trim() === "") throw new RedirectRefusal(`Redirect ${status} with an empty Location`, "ERR_INVALID_REDIRECT");
  let url: URL;
  try {
    url = new URL(location.trim(), `${hop.origin}${hop.path.startsWith("/") ? "" : "/"}${hop.path}`);
  } catch {
    throw new RedirectRefusal(`Redirect ${status} with an invalid Location`, "ERR_INVALID_REDIRECT");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RedirectRefusal(`Redirect ${status} to a ${url.protocol.slice(0, -1).slice(0, 20)}: URL refused (only http and https are followed)`, "ERR_REDIRECT_SCHEME");
  }
  // Credentials in a Location are never turned into an Authorization header.
  url.username = "";
  url.password = "";
  url.hash = "";
  const crossOrigin = url.origin !== hop.origin;
  let method = hop.method;
  let dropBody = false;
  if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    method = "GET";
    dropBody = true;
  }
  if (!dropBody && hop.hasBody) {
    if (!hop.bodyReplayable) {
      throw new RedirectRefusal(`Redirect ${status} not followed: the request body is a stream that cannot be sent twice`, "ERR_REDIRECT_BODY");
    }
    if (crossOrigin) {
      throw new RedirectRefusal(`Redirect ${status} to another origin not followed: the request body is not sent to another origin`, "ERR_REDIRECT_BODY");
    }
  }
  const drop = new Set<string>(dropBody ? BODY_HEADERS : []);
  if (crossOrigin) for (const name of [...CROSS_ORIGIN_STRIPPED, ...sensitiveHeaders]) drop.add(name.toLowerCase());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(hop.headers)) {
    const lower = name.toLowerCase();
    if (drop.has(lower) || lower === "host") continue;
    headers[name] = value;
  }
  headers["Host"] = url.host;
  return { hop: { method, origin: url.origin, path: `${url.pathname}${url.search}`, headers, hasBody: hop.hasBody && !dropBody, bodyReplayable: hop.bodyReplayable }, dropBody };
}
