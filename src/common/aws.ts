// Port of libcloud/common/aws.py: AWS Signature Version 4 (AWSRequestSignerAlgorithmV4),
// AWSTokenConnection, SignedAWSConnection, AWSBaseResponse and AWSDriver, for any AWS-style API.
import { createHash, createHmac } from "node:crypto";
import { getClock } from "../utils/clock.js";
import { Element, parseXml } from "../utils/xml.js";
import { BaseDriver, DRIVER_OPTION_NAMES, type BaseDriverOptions } from "./base/base-driver.js";
import {
  CONNECTION_OPTION_NAMES, markScopeFree, type BufferedRequestOptions, type ConnectionOptions, type RawRequestOptions, type RawResponseOf, type RequestOptions,
  type ResponseOf,
} from "./base/connection.js";
import type { RawResponse } from "./base/raw-response.js";
import type { Response } from "./base/response.js";
import { ConnectionUserAndKey } from "./base/connection-user-and-key.js";
import type { LibcloudRequest, Params, RequestBody } from "./base/request-context.js";
import { XmlResponse } from "./base/xml-response.js";
import { LibcloudError, type LibcloudErrorOptions } from "./types.js";

/** The payload hash of a body that is not hashed before it is sent. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** SHA-256 of the empty string (hex). */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** The SigV4 algorithm name. */
export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** Longest validity of a presigned URL (seconds): one week. */
export const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Headers never signed (they change on the way, or are the signature itself): the same list as
 * AWS's own signer (`@smithy/signature-v4`, which also drops `date`), plus `proxy-*` and `sec-*`.
 */
const UNSIGNABLE_HEADERS: ReadonlySet<string> = new Set([
  "authorization", "date", "cache-control", "connection", "expect", "from", "keep-alive", "max-forwards", "pragma", "referer", "te",
  "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
]);

// ---- canonical forms ------------------------------------------------------------------------

/**
 * AWS's UriEncode: every byte of the UTF-8 form percent-encoded (upper-case hex) except the
 * unreserved `A-Z a-z 0-9 - _ . ~`. A lone surrogate becomes U+FFFD.
 */
export function uriEncode(text: string): string {
  let out: string;
  try {
    out = encodeURIComponent(text);
  } catch {
    out = encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
  }
  return out.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" is a literal: uriEncode turns it into %25
  }
}

/**
 * The path as it goes on the wire: each segment percent-decoded (where it is valid escapes) and
 * UriEncoded, "/" kept. A path written encoded or not gives the same result, and what is sent is
 * exactly what is signed. `.`/`..` and empty segments are kept (S3 keys may hold them).
 */
export function wirePath(path: string): string {
  const p = path === "" ? "/" : path;
  return p.split("/").map((s) => uriEncode(decodeSegment(s))).join("/");
}

/**
 * The CanonicalURI of a wire path. S3 (`doubleEncode` false) signs the path as sent; every other
 * service signs it normalised (empty, `.` and `..` segments resolved) and encoded a second time.
 */
export function canonicalUri(path: string, doubleEncode: boolean): string {
  if (!doubleEncode) return path === "" ? "/" : path;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return uriEncode(normalized).replace(/%2F/g, "/");
}

/**
 * The CanonicalQueryString of decoded name/value pairs: each UriEncoded, sorted by name then value
 * (byte order of the encoded forms); a name without a value is `name=`.
 */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  const encoded = pairs.map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  encoded.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join("&");
}

/** A header value as signed: runs of spaces and tabs become one space, CR/LF become spaces, ends trimmed. */
export function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
}

/** The canonical headers block and the SignedHeaders list of the headers that are signed. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): {
  /** One `name:value\n` line per signed header, lower-case names in sorted order. */
  canonical: string;
  /** The signed header names, lower-case, sorted and joined with `;`. */
  signedHeaders: string;
} {
  const byName = new Map<string, string>();
  for (const name of Object.keys(headers).sort()) {
    const value = headers[name];
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    if (UNSIGNABLE_HEADERS.has(lower) || lower.startsWith("proxy-") || lower.startsWith("sec-")) continue;
    byName.set(lower, canonicalHeaderValue(String(value)));
  }
  const names = [...byName.keys()].sort();
  return { canonical: names.map((n) => `${n}:${byName.get(n)!}\n`).join(""), signedHeaders: names.join(";") };
}

/** SHA-256 of a payload, hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `YYYYMMDDTHHMMSSZ` of a time. */
export function amzDate(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

// ---- the signer -------------------------------------------------------------------------------

/** What the signer signs: one request as it goes on the wire. */
export interface SigV4Request {
  /** Upper-case HTTP method. */
  method: string;
  /** The path as sent (see {@link wirePath}). */
  path: string;
  /** Decoded query pairs (repeated names allowed; an empty value for a bare name). */
  query: ReadonlyArray<readonly [string, string]>;
  /** Headers to sign (Host included). */
  headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or {@link UNSIGNED_PAYLOAD}. */
  payloadHash: string;
}

/** Options of `new AWSRequestSignerAlgorithmV4(...)`. */
export interface SigV4SignerOptions {
  /** Access key ID, sent in the `Credential` of the signature. */
  accessKeyId: string;
  /** Secret access key the signing key is derived from (never sent). */
  secretAccessKey: string;
  /** Temporary credentials' session token (`x-amz-security-token`). */
  sessionToken?: string | undefined;
  /** Signing region (`us-east-1` …). */
  region: string;
  /** Signing service (`s3`, `ec2` …). */
  service: string;
  /** Normalise and double-encode the canonical URI (every service but S3). @defaultValue true */
  doubleEncodePath?: boolean | undefined;
}

/**
 * AWS Signature Version 4 (`libcloud.common.aws.AWSRequestSignerAlgorithmV4`): signs a request in
 * its headers (`Authorization`) or in its query (a presigned URL). Pure: the time is an argument;
 * the secret is non-enumerable and never part of a message.
 */
export class AWSRequestSignerAlgorithmV4 {
  /** Access key ID, sent in the `Credential` of the signature. */
  readonly accessKeyId: string;
  /** Secret access key the signing key is derived from (non-enumerable, never sent). */
  declare readonly secretAccessKey: string;
  /** Session token of temporary credentials, sent as `x-amz-security-token` (non-enumerable); undefined for none. */
  declare readonly sessionToken: string | undefined;
  /** Signing region (part of the credential scope). */
  readonly region: string;
  /** Signing service (part of the credential scope). */
  readonly service: string;
  /** Whether the canonical URI is normalised and double-encoded (false for S3). */
  readonly doubleEncodePath: boolean;
  #keys = new Map<string, Buffer>();

  constructor(options: SigV4SignerOptions) {
    if (typeof options.accessKeyId !== "string" || options.accessKeyId === "") throw new TypeError("SigV4: accessKeyId is required");
    if (typeof options.secretAccessKey !== "string" || options.secretAccessKey === "") throw new TypeError("SigV4: secretAccessKey is required");
    if (typeof options.region !== "string" || options.region === "") throw new TypeError("SigV4: region is required");
    this.accessKeyId = options.accessKeyId;
    Object.defineProperty(this, "secretAccessKey", { value: options.secretAccessKey, enumerable: false });
    Object.defineProperty(this, "sessionToken", { value: options.sessionToken || undefined, enumerable: false });
    this.region = options.region;
    this.service = options.service;
    this.doubleEncodePath = options.doubleEncodePath ?? true;
  }

  /** `<date>/<region>/<service>/aws4_request`. */
  credentialScope(time: Date): string {
    return `${amzDate(time).slice(0, 8)}/${this.region}/${this.service}/aws4_request`;
  }

  /** The CanonicalRequest (what AWS shows in a SignatureDoesNotMatch answer). */
  canonicalRequest(request: SigV4Request): {
    /** The CanonicalRequest text: method, URI, query, headers, signed headers and payload hash, one per line. */
    text: string;
    /** The signed header names, lower-case, sorted and joined with `;`. */
    signedHeaders: string;
  } {
    const { canonical, signedHeaders } = canonicalHeaders(request.headers);
    const text = [
      request.method, canonicalUri(request.path, this.doubleEncodePath), canonicalQuery(request.query), canonical, signedHeaders, request.payloadHash,
    ].join("\n");
    return { text, signedHeaders };
  }

  /** The hex signature of a request at a time. */
  signature(request: SigV4Request, time: Date): {
    /** The hex HMAC-SHA256 signature. */
    signature: string;
    /** The signed header names, lower-case, sorted and joined with `;`. */
    signedHeaders: string;
  } {
    const { text, signedHeaders } = this.canonicalRequest(request);
    const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate(time)}\n${this.credentialScope(time)}\n${sha256Hex(text)}`;
    return { signature: createHmac("sha256", this.#signingKey(time)).update(stringToSign, "utf8").digest("hex"), signedHeaders };
  }

  /**
   * Header signing: returns the headers to add (`x-amz-date`, `x-amz-security-token` with a session
   * token, `x-amz-content-sha256` unless `contentSha256` is false, and `Authorization`). The request's
   * own headers plus these are what is signed.
   */
  signHeaders(request: SigV4Request, time: Date, options: { contentSha256?: boolean } = {}): Record<string, string> {
    const added: Record<string, string> = { "x-amz-date": amzDate(time) };
    if (this.sessionToken !== undefined) added["x-amz-security-token"] = this.sessionToken;
    if (options.contentSha256 ?? true) added["x-amz-content-sha256"] = request.payloadHash;
    const headers = { ...request.headers, ...added };
    const { signature, signedHeaders } = this.signature({ ...request, headers }, time);
    added["Authorization"] = `${SIGV4_ALGORITHM} Credential=${this.accessKeyId}/${this.credentialScope(time)}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return added;
  }

  /**
   * Query-string signing (a presigned URL): returns the request's query plus the X-Amz-* pairs,
   * `X-Amz-Signature` last. Only the given headers (normally just Host) are signed.
   */
  presignQuery(request: Omit<SigV4Request, "payloadHash"> & { payloadHash?: string }, time: Date, expiresSeconds: number): Array<[string, string]> {
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_EXPIRY_SECONDS) {
      throw new TypeError(`SigV4: a presigned URL's expiry must be 1 to ${MAX_PRESIGNED_EXPIRY_SECONDS} whole seconds, got ${expiresSeconds}`);
    }
    const { signedHeaders } = canonicalHeaders(request.headers);
    const query: Array<[string, string]> = request.query.map(([k, v]) => [k, v]);
    if (this.sessionToken !== undefined) query.push(["X-Amz-Security-Token", this.sessionToken]);
    query.push(
      ["X-Amz-Algorithm", SIGV4_ALGORITHM],
      ["X-Amz-Credential", `${this.accessKeyId}/${this.credentialScope(time)}`],
      ["X-Amz-Date", amzDate(time)],
      ["X-Amz-Expires", String(expiresSeconds)],
      ["X-Amz-SignedHeaders", signedHeaders],
    );
    const { signature } = this.signature({ ...request, query, payloadHash: request.payloadHash ?? UNSIGNED_PAYLOAD }, time);
    query.push(["X-Amz-Signature", signature]);
    return query;
  }

  #signingKey(time: Date): Buffer {
    const day = amzDate(time).slice(0, 8);
    let key = this.#keys.get(day);
    if (key === undefined) {
      key = Buffer.from(`AWS4${this.secretAccessKey}`, "utf8");
      for (const part of [day, this.region, this.service, "aws4_request"]) key = createHmac("sha256", key).update(part, "utf8").digest();
      if (this.#keys.size > 4) this.#keys.clear();
      this.#keys.set(day, key);
    }
    return key;
  }

  /** A summary without the secret or token. */
  toJSON(): Record<string, unknown> {
    return { accessKeyId: this.accessKeyId, region: this.region, service: this.service };
  }
}

// ---- responses and errors ---------------------------------------------------------------------

/** The local name of a tag (`{ns}Code` → `Code`): S3-compatible servers differ in namespaces. */
export function localName(tag: string): string {
  const close = tag.indexOf("}");
  return close < 0 ? tag : tag.slice(close + 1);
}

/** The first child of `el` with this local name, whatever its namespace. */
export function childByLocalName(el: Element | null | undefined, name: string): Element | null {
  for (const child of el?.children ?? []) if (localName(child.tag) === name) return child;
  return null;
}

/** Every child of `el` with this local name. */
export function childrenByLocalName(el: Element | null | undefined, name: string): Element[] {
  return (el?.children ?? []).filter((child) => localName(child.tag) === name);
}

/** The text of the first child with this local name (null when there is none). */
export function textByLocalName(el: Element | null | undefined, name: string): string | null {
  const child = childByLocalName(el, name);
  return child === null ? null : child.text ?? "";
}

/** The code, message and (for RequestTimeTooSkewed) server time of an AWS XML error body. */
export function parseAwsError(body: string): {
  /** The error's `Code` (undefined when there is none or the body is not XML). */
  code: string | undefined;
  /** The error's `Message` (the first 200 characters of a body that is not XML). */
  message: string | undefined;
  /** The error's `ServerTime`, as given (RequestTimeTooSkewed). */
  serverTime: string | undefined;
} {
  if (body === "") return { code: undefined, message: undefined, serverTime: undefined };
  let root: Element;
  try {
    root = parseXml(body);
  } catch {
    return { code: undefined, message: body.slice(0, 200), serverTime: undefined };
  }
  // <Error> at the root (S3) or under <Response><Errors> (EC2 and co).
  const error = localName(root.tag) === "Error" ? root : [...root.iter()].find((e) => localName(e.tag) === "Error") ?? root;
  return {
    code: textByLocalName(error, "Code") ?? undefined,
    message: textByLocalName(error, "Message") ?? undefined,
    serverTime: textByLocalName(error, "ServerTime") ?? undefined,
  };
}

/** Options of a RequestTimeTooSkewedError. */
export interface RequestTimeTooSkewedErrorOptions extends LibcloudErrorOptions {
  /** The server's time (ms since the epoch), from the answer's ServerTime or Date. */
  serverTime: number | undefined;
}

/**
 * The server refused the request's time (`RequestTimeTooSkewed`): the local clock is off by more
 * than AWS allows (15 minutes). SignedAWSConnection corrects its offset and retries once first.
 */
export class RequestTimeTooSkewedError extends LibcloudError {
  override name = "RequestTimeTooSkewedError";
  /** The server's time, ms since the epoch, when it said so. */
  readonly serverTime: number | undefined;

  constructor(value: unknown, options: RequestTimeTooSkewedErrorOptions) {
    super(value, options);
    this.serverTime = options.serverTime;
  }
}

/** Throws RequestTimeTooSkewedError when an error answer says so. */
export function throwIfSkewed(code: string | undefined, message: string | undefined, serverTime: string | undefined, dateHeader: string | undefined, driver: unknown): void {
  if (code !== "RequestTimeTooSkewed") return;
  const parse = (text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  };
  throw new RequestTimeTooSkewedError(`${code}: ${message ?? "the difference between the request time and the current time is too large"}`, {
    serverTime: parse(serverTime) ?? parse(dateHeader), driver,
  });
}

/**
 * An AWS XML response (`libcloud.common.aws.AWSBaseResponse`/`AWSGenericResponse`): 2xx is
 * success; errors are read from `<Error><Code>/<Message>` by local name; RequestTimeTooSkewed
 * becomes RequestTimeTooSkewedError, 401/403 InvalidCredsError (via the status's own error).
 */
export class AWSBaseResponse extends XmlResponse {
  override success(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  override parseError(): unknown {
    const { code, message, serverTime } = parseAwsError(this.body);
    throwIfSkewed(code, message, serverTime, this.headers["date"], this.connection?.driver);
    return [code, message].filter((s) => s !== undefined && s !== "").join(": ");
  }
}

/** `libcloud.common.aws.AWSGenericResponse`. */
export class AWSGenericResponse extends AWSBaseResponse {}

// ---- connections ----------------------------------------------------------------------------

/** Options of an AWS connection. */
export interface AWSConnectionOptions extends ConnectionOptions {
  /** Session token of temporary credentials. */
  token?: string | undefined;
  /** Signing region. @defaultValue the class's `region` */
  region?: string | undefined;
}

/** The option names an AWS connection accepts. */
export const AWS_CONNECTION_OPTION_NAMES: ReadonlySet<string> = new Set([...CONNECTION_OPTION_NAMES, "token", "region"]);

/**
 * A connection with an access key and an optional session token (`AWSTokenConnection`). The token
 * is kept non-enumerable; SignedAWSConnection signs it as `x-amz-security-token`.
 */
export class AWSTokenConnection extends ConnectionUserAndKey {
  static override optionNames: ReadonlySet<string> = AWS_CONNECTION_OPTION_NAMES;
  static override sensitiveHeaders: readonly string[] = ["x-amz-security-token"];
  /** Session token of temporary credentials, sent as `x-amz-security-token` (non-enumerable); undefined for none. */
  declare readonly token: string | undefined;

  constructor(userId: string, key: string, options: AWSConnectionOptions = {}) {
    const { token, region: _region, ...rest } = options;
    super(userId, key, rest);
    Object.defineProperty(this, "token", { value: token || undefined, enumerable: false });
  }
}

const GENERATED_HEADERS: ReadonlySet<string> = new Set(["authorization", "x-amz-date", "x-amz-security-token"]);

function isReplayableBody(data: RequestBody): boolean {
  return data === undefined || data === null || typeof data === "string" || data instanceof Uint8Array || typeof data === "function";
}

function queryPairs(params: Params): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  for (const [name, value] of pairs) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value as ReadonlyArray<unknown>) out.push([name, String(v)]);
    else out.push([name, String(value)]);
  }
  return out;
}

function parseQueryString(query: string): Array<[string, string]> {
  if (query === "") return [];
  return query.split("&").filter((p) => p !== "").map((part) => {
    const eq = part.indexOf("=");
    const [k, v] = eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
    return [decodeSegment(k), decodeSegment(v)];
  });
}

function findHeader(headers: Record<string, string>, lower: string): string | undefined {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

/**
 * A SigV4-signed connection for any AWS-style API (`libcloud.common.aws.SignedAWSConnection` with
 * signature version 4). Each request is signed in preConnectHook from that request alone: the path
 * and query are rewritten to their canonical wire form (UriEncode, sorted), so what is sent is what
 * is signed. The payload hash is the caller's `x-amz-content-sha256` header when given (the S3
 * driver hashes parts while reading them), else computed for a string or bytes body, else
 * `UNSIGNED-PAYLOAD` (a stream cannot be hashed before it is sent). Time comes from the injected
 * clock (`getClock().date`), plus an offset learnt from a RequestTimeTooSkewed answer, after
 * which the request is signed again and sent once more.
 */
export class SignedAWSConnection extends AWSTokenConnection {
  static override responseCls = AWSGenericResponse;
  /** Signing service name (`service_name`). */
  static serviceName = "";
  /** Default signing region. */
  static region = "us-east-1";
  /** Whether the canonical URI is normalised and double-encoded (false for S3). */
  static doubleEncodePath = true;
  /** Whether `x-amz-content-sha256` is sent (S3 requires it). */
  static sendContentSha256 = true;
  /** API version sent as the `Version` parameter (query APIs); empty for none. */
  static version = "";

  /** The signer (holds the secret, non-enumerable). */
  declare readonly signer: AWSRequestSignerAlgorithmV4;
  /** Signing region. */
  readonly region: string;
  /** Milliseconds added to the clock's time when signing, learnt from RequestTimeTooSkewed. */
  clockOffset = 0;

  constructor(userId: string, key: string, options: AWSConnectionOptions = {}) {
    super(userId, key, options);
    const cls = new.target;
    this.region = options.region || cls.region;
    const signer = new AWSRequestSignerAlgorithmV4({
      accessKeyId: userId, secretAccessKey: key, sessionToken: this.token, region: this.region, service: cls.serviceName,
      doubleEncodePath: cls.doubleEncodePath,
    });
    Object.defineProperty(this, "signer", { value: signer, enumerable: false });
  }

  /** The time a request is signed with: the injected clock's wall time plus `clockOffset`. */
  signingTime(): Date {
    const clock = getClock();
    return new Date((clock.date?.() ?? Date.now()) + this.clockOffset);
  }

  override addDefaultParams(params: Params, _request?: LibcloudRequest): Params {
    const version = (this.constructor as typeof SignedAWSConnection).version;
    if (version === "") return params;
    if (Array.isArray(params)) return [...params, ["Version", version]];
    return { ...params, Version: version };
  }

  /** The path as given (keys may hold `//`, `.` and `..`, which S3 keeps), after `requestPath`. */
  override morphActionHook(action: string, _request?: LibcloudRequest): string {
    const joined = this.requestPath + action;
    return joined.startsWith("/") ? joined : `/${joined}`;
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
    if (request === undefined) throw new LibcloudError("SigV4 requests are signed from the request object");
    const q = request.action.indexOf("?");
    const path = wirePath(q < 0 ? request.action : request.action.slice(0, q));
    const query = [...(q < 0 ? [] : parseQueryString(request.action.slice(q + 1))), ...queryPairs(params)];
    const given = findHeader(headers, "x-amz-content-sha256");
    let payloadHash = given;
    if (payloadHash === undefined) {
      const data = request.data;
      if (data === undefined || data === null || data === "") payloadHash = EMPTY_PAYLOAD_SHA256;
      else if (typeof data === "string" || data instanceof Uint8Array) payloadHash = sha256Hex(data);
      else payloadHash = UNSIGNED_PAYLOAD;
    }
    const cls = this.constructor as typeof SignedAWSConnection;
    const toSign: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      // The signer sets these itself; a caller's copy would be sent twice.
      if (GENERATED_HEADERS.has(name.toLowerCase())) delete headers[name];
      else toSign[name] = String(value);
    }
    const added = this.signer.signHeaders({ method: request.method, path, query, headers: toSign, payloadHash }, this.signingTime(), {
      contentSha256: cls.sendContentSha256 && given === undefined,
    });
    const queryText = canonicalQuery(query);
    request.action = queryText === "" ? path : `${path}?${queryText}`;
    return [[], { ...headers, ...added }];
  }

  /**
   * Sends the request; a RequestTimeTooSkewed answer sets `clockOffset` from the server's time and
   * the request is signed and sent once more (when its body can be sent again).
   */
  override request<T = unknown>(action: string, options?: BufferedRequestOptions): Promise<ResponseOf<this, T>>;
  override request(action: string, options: RawRequestOptions): Promise<RawResponseOf<this>>;
  override request<T = unknown>(action: string, options?: RequestOptions): Promise<ResponseOf<this, T> | RawResponseOf<this>>;
  override async request(action: string, options: RequestOptions = {}): Promise<Response | RawResponse> {
    try {
      return await super.request(action, options);
    } catch (error) {
      if (!(error instanceof RequestTimeTooSkewedError) || error.serverTime === undefined || !isReplayableBody(options.data)) throw error;
      const clock = getClock();
      this.clockOffset = error.serverTime - (clock.date?.() ?? Date.now());
      return await super.request(action, options);
    }
  }
}
// Its hooks read the request from their argument: no async scope per request.
markScopeFree(SignedAWSConnection, "addDefaultParams", "morphActionHook", "preConnectHook");

/** Options of an AWS driver. */
export interface AWSDriverOptions extends BaseDriverOptions {
  /** Session token of temporary credentials. */
  token?: string | undefined;
}

/** The option names an AWS driver accepts. */
export const AWS_DRIVER_OPTION_NAMES: ReadonlySet<string> = new Set([...DRIVER_OPTION_NAMES, "token"]);

/** A driver whose connection takes a session token (`libcloud.common.aws.AWSDriver`). */
export class AWSDriver extends BaseDriver {
  static override optionNames: ReadonlySet<string> = AWS_DRIVER_OPTION_NAMES;

  constructor(key: string, secret?: string, options: AWSDriverOptions = {}) {
    super(key, secret, options);
  }

  override exConnectionClassKwargs(): Record<string, unknown> {
    return { ...super.exConnectionClassKwargs(), region: this.region };
  }
}
