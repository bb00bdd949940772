// Maps undici's and Node's errors to libcloud-ts's typed transport errors: each keeps the original
// as `cause`, names method and origin, and never carries credentials.
import {
  ClientClosedError, ConnectionError, DecompressionError, DnsError, LibcloudError, ProxyError,
  ResponseTooLargeError, TimeoutError, TlsError, TransportError,
} from "../common/types.js";
import { errors as undiciErrors } from "undici";

/** Where the request was when it failed. */
export interface FailureSite {
  method: string;
  /** The origin, `scheme://host[:port]`. */
  origin: string;
  /** The host name as configured (for the DNS hint). */
  hostname: string;
  /** The class whose `host` the DNS hint should name. */
  connectionClassName?: string | undefined;
  /** Response headers had arrived (so the failure is in the body). */
  headersReceived?: boolean;
  /** The request went through a proxy. */
  viaProxy?: boolean;
}

/** A CONNECT to the proxy failed: refused, closed, TLS to the proxy, or a status other than 200. */
export class ProxyTunnelFailure extends Error {
  override name = "ProxyTunnelFailure";
  constructor(message: string, readonly statusCode: number | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);
const CONNECT_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ECONNABORTED"]);
/** Node's TLS codes and OpenSSL's X509 verification codes (X509_V_ERR_* without the prefix). */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|INVALID_EXTENSION|INVALID_NON_CA|PATH_LENGTH_EXCEEDED|KEYUSAGE_|CRL_|ERROR_IN_|SUBJECT_ISSUER_MISMATCH|AKID_|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|CA_MD_TOO_WEAK|PROXY_PATH_LENGTH|APPLICATION_VERIFICATION|IP_ADDRESS_MISMATCH|EMAIL_MISMATCH)/;

/** The fields of an error-like value, read without trusting its shape. */
function fieldsOf(value: unknown): { code?: unknown; name?: unknown; cause?: unknown } {
  return typeof value === "object" && value !== null ? value : {};
}

/** An error-like value's `code` when it is a string. */
function stringCode(value: unknown): string | undefined {
  const { code } = fieldsOf(value);
  return typeof code === "string" ? code : undefined;
}

function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e; i++) {
    const code = stringCode(e);
    if (code !== undefined && !code.startsWith("UND_ERR")) return code;
    e = fieldsOf(e).cause;
  }
  return stringCode(error);
}

/** Turns any error from the transport into a typed LibcloudError (already-typed ones pass through). */
export function toTransportError(error: unknown, site: FailureSite): unknown {
  if (error instanceof LibcloudError) return error;
  if (error instanceof ProxyTunnelFailure) return proxyFailure(error, site);
  // undici's ProxyAgent answers a plain-http request's 407 with an InvalidArgumentError (its only
  // signal; the status is not on the error). Matched by class and place, not by message: through an
  // http proxy to an http target, every argument undici could refuse was already refused by us
  // before sending (U1-U10), so an InvalidArgumentError there is the proxy's 407.
  if (error instanceof undiciErrors.InvalidArgumentError && site.viaProxy === true && site.origin.startsWith("http:")) {
    return new ProxyError(`Proxy refused the request (407 Proxy Authentication Required): ${site.method} ${site.origin}`, {
      code: "ERR_PROXY_AUTH", statusCode: 407, host: site.origin, method: site.method, requestSent: true, cause: error,
    });
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError" && !fieldsOf(error).code)) return error;
  const undiciCode = stringCode(error);
  const code = codeOf(error) ?? "EUNKNOWN";
  const where = `${site.method} ${site.origin}`;
  const base = { host: site.origin, method: site.method, cause: error };
  switch (undiciCode) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new TimeoutError(`Connect timeout: ${where}`, { ...base, code: "ETIMEDOUT", phase: "connect", requestSent: false });
    case "UND_ERR_HEADERS_TIMEOUT":
      return new TimeoutError(`Timed out waiting for response headers: ${where}`, { ...base, code: "ETIMEDOUT", phase: "headers", requestSent: true });
    case "UND_ERR_BODY_TIMEOUT":
      return new TimeoutError(`Timed out reading the response body (idle): ${where}`, { ...base, code: "ETIMEDOUT", phase: "body", requestSent: true });
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return new ConnectionError(`Response body shorter or longer than its Content-Length: ${where}`, { ...base, code: "ERR_CONTENT_LENGTH_MISMATCH", requestSent: true });
    case "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH":
      return new ConnectionError(`Request body length does not match its Content-Length: ${where}`, { ...base, code: "ERR_REQUEST_CONTENT_LENGTH_MISMATCH", requestSent: true });
    case "UND_ERR_RES_EXCEEDED_MAX_SIZE":
      return new ResponseTooLargeError(`Response body too large: ${where}`, { ...base, code: "ERR_RESPONSE_TOO_LARGE", limit: 0 });
    case "UND_ERR_HEADERS_OVERFLOW":
      return new ConnectionError(`Response headers too large: ${where}`, { ...base, code: "ERR_HEADERS_OVERFLOW", requestSent: true });
    case "UND_ERR_DESTROYED":
    case "UND_ERR_CLOSED":
      return new ClientClosedError(`Connection closed: ${where}`, { ...base, code: "ERR_CLIENT_CLOSED", requestSent: false });
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_STATUS":
    default:
      break;
  }
  if (undiciCode?.startsWith("HPE_") || fieldsOf(error).name === "HTTPParserError") {
    return new ConnectionError(`Malformed HTTP response (${undiciCode ?? "parse error"}): ${where}`, { ...base, code: undiciCode ?? "HPE_ERROR", requestSent: true });
  }
  if (DNS_CODES.has(code)) {
    const cls = site.connectionClassName ?? "Connection";
    return new DnsError(
      `DNS lookup failed for ${site.hostname} (${code}): ${where}. Perhaps the "host" attribute of ${cls} is set to an invalid, non-hostname value (${site.hostname})?`,
      { ...base, code, requestSent: false },
    );
  }
  if (TLS_CODE.test(code)) {
    return new TlsError(`TLS failure (${code}): ${where}`, { ...base, code, requestSent: false });
  }
  if (CONNECT_CODES.has(code)) {
    const message = site.viaProxy ? `Proxy connection failed (${code}): ${where}` : `Connection refused (${code}): ${where}`;
    return site.viaProxy
      ? new ProxyError(message, { ...base, code, requestSent: false })
      : new ConnectionError(message, { ...base, code, requestSent: false });
  }
  if (code.startsWith("Z_") || code === "ERR_ZLIB") {
    return new DecompressionError(`Could not decode the response body (${code}): ${where}`, { ...base, code, requestSent: true });
  }
  if (undiciCode === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE") {
    const detail = (error as Error).message;
    return new ConnectionError(`Connection reset (${detail}): ${where}`, { ...base, code: code === "EUNKNOWN" || code === "UND_ERR_SOCKET" ? "ECONNRESET" : code, requestSent: true });
  }
  if (error instanceof TypeError || stringCode(error) === "UND_ERR_INVALID_ARG") return error;
  return new ConnectionError(`Request failed (${code}): ${where}`, { ...base, code, requestSent: true });
}

/** The typed error for a failed tunnel: TlsError for the proxy's certificate, else ProxyError. */
function proxyFailure(error: ProxyTunnelFailure, site: FailureSite): unknown {
  const where = `${site.method} ${site.origin}`;
  const base = { host: site.origin, method: site.method, cause: error, requestSent: false };
  if (error.statusCode !== undefined) {
    return new ProxyError(`Proxy refused the tunnel (CONNECT answered ${error.statusCode}): ${where}`, {
      ...base, code: error.statusCode === 407 ? "ERR_PROXY_AUTH" : "ERR_PROXY_TUNNEL", statusCode: error.statusCode,
    });
  }
  const code = codeOf(error.cause) ?? "ERR_PROXY_TUNNEL";
  if (TLS_CODE.test(code)) return new TlsError(`TLS failure with the proxy (${code}): ${where}`, { ...base, code });
  const reason = code === "UND_ERR_SOCKET" || code === "EUNKNOWN" ? "closed the connection" : code;
  return new ProxyError(`Proxy connection failed (${reason}): ${where}`, { ...base, code: code.startsWith("UND_ERR") ? "ECONNRESET" : code });
}

export { TransportError };
