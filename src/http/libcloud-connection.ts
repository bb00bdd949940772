// Port of libcloud/http.py: LibcloudConnection — the HTTP transport, on undici: a keep-alive pool
// per origin, TLS verification on by default, proxies, timeouts, transparent decoding, a cap on
// buffered bodies, and streamed raw bodies with backpressure.
import { readFileSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import { rootCertificates } from "node:tls";
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import { HTTPResponse } from "../common/base/http-response.js";
import { settings } from "../common/base/settings.js";
import type { HeaderMap } from "../common/exceptions.js";
import { ClientClosedError, ConfigError, DecompressionError, ResponseTooLargeError } from "../common/types.js";
import { DecodeFailure, decodeStream, parseContentCodings, readWhole } from "./decode.js";
import { toTransportError, type FailureSite } from "./errors.js";
import { parseProxyUrl, proxyFromEnvironment, type ProxyConfig } from "./proxy.js";

/** What a connection gives its transport (`new connCls(options)`). */
export interface TransportOptions {
  /** Host name or IP literal (no brackets). */
  host: string;
  port: number;
  secure: boolean;
  /** Request timeout in ms: connect, time to headers, and idle time between body chunks. @defaultValue 60000 */
  timeout?: number | undefined;
  /** Proxy URL; undefined reads the environment, null means no proxy. */
  proxyUrl?: string | null | undefined;
  /** Extra CA certificates (PEM path or contents), added to Node's roots. */
  caCert?: string | undefined;
  /** Verify the server's certificate. @defaultValue settings.verifySslCert */
  verifySslCert?: boolean | undefined;
  /** Client certificate (PEM path or contents). */
  certFile?: string | undefined;
  /** Client key (PEM path or contents). */
  keyFile?: string | undefined;
  /** Passphrase of the client key. */
  keyPassphrase?: string | undefined;
  /** Cap on buffered bodies, decoded bytes. @defaultValue settings.maxBufferedBodyBytes */
  maxBufferedBodyBytes?: number | undefined;
  /** Name of the connection class, for error hints. */
  connectionClassName?: string | undefined;
}

/** A body the transport can send. */
export type TransportBody = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array> | null | undefined;

/** One request as the connection hands it to the transport. */
export interface TransportRequest {
  method: string;
  /** Path and query, starting with "/". */
  url: string;
  headers: Record<string, string>;
  body?: TransportBody;
  /** Leave the body unread: the response carries a stream. */
  raw?: boolean;
  stream?: boolean;
  signal?: AbortSignal | undefined;
}

/** The transport interface: LibcloudConnection, MockHttp, or anything set as `connCls`. */
export interface Transport {
  /** The origin, `scheme://host[:port]`. */
  readonly host: string;
  request(request: TransportRequest): Promise<HTTPResponse>;
  setHttpProxy(url: string | null): void;
  close(): Promise<void>;
}

/** A transport class. */
export type TransportClass = new (options: TransportOptions) => Transport;

/** `scheme://host[:port]`, the port left out when it is the scheme's own. */
export function formatOrigin(secure: boolean, host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const implicit = secure ? 443 : 80;
  return `${secure ? "https" : "http"}://${h}${port === implicit ? "" : `:${port}`}`;
}

/** Reads a PEM given as contents or as a path; a missing or directory path is a ConfigError. */
export function loadPem(value: string, what: string): string {
  if (value.includes("-----BEGIN")) return value;
  let isDir: boolean;
  try {
    isDir = statSync(value).isDirectory();
  } catch {
    throw new ConfigError(`${what} file ${value} doesn't exist`);
  }
  if (isDir) throw new ConfigError(`${what} file ${value} can't be a directory`);
  return readFileSync(value, "utf8");
}

let warnedInsecure = false;
const VERIFY_DISABLED_WARNING =
  "SSL certificate verification is disabled, this can pose a security risk. For more information how to enable SSL certificate verification, please visit the libcloud documentation.";

function warnInsecureOnce(): void {
  if (warnedInsecure) return;
  warnedInsecure = true;
  process.emitWarning(VERIFY_DISABLED_WARNING, { code: "LIBCLOUD_VERIFY_SSL_DISABLED" });
}

/**
 * The default transport (`libcloud.http.LibcloudConnection`). Each instance owns its pool, so TLS
 * options are never shared between connections that differ in them.
 */
export class LibcloudConnection implements Transport {
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  readonly secure: boolean;
  readonly timeout: number;
  readonly maxBufferedBodyBytes: number;
  /** The proxy in use (password non-enumerable), or null. */
  proxy: ProxyConfig | null = null;
  readonly #tls: Record<string, unknown>;
  readonly #connectionClassName: string | undefined;
  #dispatcher: Dispatcher;
  #closed = false;

  constructor(options: TransportOptions) {
    this.hostname = options.host;
    this.port = options.port;
    this.secure = options.secure;
    this.host = formatOrigin(options.secure, options.host, options.port);
    this.timeout = options.timeout ?? 60_000;
    this.maxBufferedBodyBytes = options.maxBufferedBodyBytes ?? settings.maxBufferedBodyBytes;
    this.#connectionClassName = options.connectionClassName;
    this.#tls = this.#tlsOptions(options);
    const proxyUrl = options.proxyUrl === undefined ? proxyFromEnvironment(this.secure, this.hostname, this.port) : options.proxyUrl;
    this.#dispatcher = this.#makeDispatcher(proxyUrl ?? null);
  }

  #tlsOptions(options: TransportOptions): Record<string, unknown> {
    const verify = options.verifySslCert ?? settings.verifySslCert;
    if (!verify) warnInsecureOnce();
    const tls: Record<string, unknown> = { rejectUnauthorized: verify, timeout: this.timeout };
    const extraCa = options.caCert ?? settings.caCertsPath;
    if (extraCa !== undefined) tls["ca"] = [...rootCertificates, loadPem(extraCa, "Certificate")];
    if (options.certFile !== undefined) tls["cert"] = loadPem(options.certFile, "Certificate");
    if (options.keyFile !== undefined) tls["key"] = loadPem(options.keyFile, "Key");
    if (options.keyPassphrase !== undefined) tls["passphrase"] = options.keyPassphrase;
    return tls;
  }

  #makeDispatcher(proxyUrl: string | null): Dispatcher {
    const common = { keepAliveTimeout: 4_000, headersTimeout: this.timeout, bodyTimeout: this.timeout };
    if (proxyUrl === null) {
      this.proxy = null;
      return new Agent({ ...common, connect: this.#tls });
    }
    this.proxy = parseProxyUrl(proxyUrl);
    return new ProxyAgent({ ...common, uri: proxyUrl, requestTls: this.#tls, proxyTls: this.#tls });
  }

  /** Routes the following requests through a proxy (`null` for none). */
  setHttpProxy(url: string | null): void {
    const next = this.#makeDispatcher(url);
    const previous = this.#dispatcher;
    this.#dispatcher = next;
    void previous.close().catch(() => {});
  }

  /** Sends a request; a buffered response is read (and decoded) whole, a raw one is left as a stream. */
  async request(request: TransportRequest): Promise<HTTPResponse> {
    const site: FailureSite = {
      method: request.method,
      origin: this.host,
      hostname: this.hostname,
      connectionClassName: this.#connectionClassName,
      viaProxy: this.proxy !== null,
    };
    if (this.#closed) throw new ClientClosedError(`Connection closed: ${request.method} ${this.host}`, { code: "ERR_CLIENT_CLOSED", host: this.host, method: request.method, requestSent: false });
    let data: Dispatcher.ResponseData;
    try {
      data = await this.#dispatcher.request({
        origin: this.host,
        path: request.url,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: (request.body ?? null) as NonNullable<Dispatcher.DispatchOptions["body"]> | null,
        signal: request.signal ?? null,
        headersTimeout: this.timeout,
        bodyTimeout: this.timeout,
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw toTransportError(error, site);
    }
    const headers = collectHeaders(data.headers);
    const init = { status: data.statusCode, reason: data.statusText, headers, rawHeaders: rawHeaderList(data.headers) };
    if (request.method === "HEAD" || data.statusCode === 204 || data.statusCode === 304) {
      // Nothing to read (whatever Content-Length says); dump() keeps the socket reusable.
      void data.body.dump().catch(() => {});
      return new HTTPResponse({ ...init, body: null });
    }
    site.headersReceived = true;
    let codings: string[] | undefined;
    try {
      codings = parseContentCodings(headers["content-encoding"]) ?? [];
    } catch (error) {
      discard(data.body);
      throw decodeError(error, site);
    }
    const decoded = decodeStream(data.body, codings);
    if (request.raw === true || request.stream === true) {
      return new HTTPResponse({ ...init, body: mapStreamErrors(decoded, site, request.signal) });
    }
    const limit = this.maxBufferedBodyBytes;
    try {
      const body = await readWhole(decoded as AsyncIterable<Buffer>, limit, (received) => new ResponseTooLargeError(
        `Response body over the ${limit}-byte limit for buffered responses (got ${received} bytes${codings.length > 0 ? " decoded" : ""}; use raw/stream requests for large bodies): ${site.method} ${site.origin}`,
        { code: "ERR_RESPONSE_TOO_LARGE", host: site.origin, method: site.method, limit },
      ));
      return new HTTPResponse({ ...init, body });
    } catch (error) {
      discard(data.body);
      if (request.signal?.aborted) throw request.signal.reason;
      throw decodeError(error, site);
    }
  }

  /** Closes the pool; requests in flight fail with ClientClosedError. Calling it twice is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.destroy().catch(() => {});
  }
}

/** Destroys an unread body; undici emits an abort error on destroy, which nobody else listens for. */
function discard(body: Readable): void {
  body.on("error", () => {});
  body.destroy();
}

function decodeError(error: unknown, site: FailureSite): unknown {
  if (error instanceof DecodeFailure) {
    return new DecompressionError(`${error.message}: ${site.method} ${site.origin}`, { code: error.code, host: site.origin, method: site.method, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("Z_") || (error as Error | null)?.message === "unexpected end of file") {
    return new DecompressionError(`Could not decode the response body (${(error as Error).message}): ${site.method} ${site.origin}`, {
      code: typeof code === "string" ? code : "Z_BUF_ERROR", host: site.origin, method: site.method, cause: error,
    });
  }
  return toTransportError(error, site);
}

/** A stream whose errors are typed transport errors, with backpressure kept. */
function mapStreamErrors(source: Readable, site: FailureSite, signal: AbortSignal | undefined): Readable {
  async function* pump(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw decodeError(error, site);
    } finally {
      discard(source);
    }
  }
  return Readable.from(pump(), { objectMode: false, highWaterMark: 64 * 1024 });
}

function collectHeaders(raw: Record<string, string | string[] | undefined>): HeaderMap {
  const out: HeaderMap = Object.create(null) as HeaderMap;
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function rawHeaderList(raw: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else if (value !== undefined) out.push(name, value);
  }
  return out;
}
