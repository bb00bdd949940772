// Port of libcloud/storage/drivers/azure_blobs.py and libcloud/common/azure.py (AzureConnection,
// AzureResponse): Azure Blob Storage with SharedKey signing, built on libcloud-ts's public API only.
import { createHash, createHmac } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  ConnectionUserAndKey, InvalidCredsError, JobFailedError, LibcloudError, PollingConnection, RawResponse, XmlResponse,
  parseXml, type BaseDriverOptions, type ConnectionOptions, type Element, type LibcloudRequest, type Params, type PollRequestOptions,
} from "../../index.js";
import { Container } from "../container.js";
import {
  ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError, InvalidContainerNameError,
  ObjectDoesNotExistError, ObjectHashMismatchError,
} from "../errors.js";
import {
  StorageDriver, type DownloadObjectOptions, type DownloadStreamOptions, type ListObjectsOptions, type UploadObjectOptions,
  type UploadStreamOptions,
} from "../storage-driver.js";
import { StorageObject } from "../storage-object.js";

/** The x-ms-version this driver speaks (the one libcloud 3.4.1 sends). */
export const AZURE_API_VERSION = "2018-11-09";
/** Host suffix of Azure's public cloud; the account is the first label. */
export const AZURE_STORAGE_HOST_SUFFIX = "blob.core.windows.net";
/** Azure domains (public and sovereign clouds): any other host is addressed path-style (Azurite). */
const AZURE_DOMAIN = /\.core\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net|cloudapi\.de)$/i;
/** Items per listing page (libcloud's RESPONSES_PER_REQUEST). */
export const RESPONSES_PER_REQUEST = 100;
/** Block size of uploads, bytes (libcloud's AZURE_UPLOAD_CHUNK_SIZE): up to it, one Put Blob. */
export const AZURE_UPLOAD_CHUNK_SIZE = 4 * 1024 * 1024;
/** Chunk size of downloads, bytes (libcloud's AZURE_DOWNLOAD_CHUNK_SIZE). */
export const AZURE_DOWNLOAD_CHUNK_SIZE = 4 * 1024 * 1024;

// ---- signing --------------------------------------------------------------------------------

/** Whether a host is an Azure Storage domain (else path-style: `/<account>/<container>/<blob>`). */
export function isAzureDomain(host: string): boolean {
  return AZURE_DOMAIN.test(host);
}

function paramText(value: unknown): string {
  return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}

function headerOf(headers: Record<string, string>, name: string): string {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return String(headers[key] ?? "");
  return "";
}

function byteLength(data: unknown): number | undefined {
  if (typeof data === "string") return Buffer.byteLength(data);
  if (data instanceof Uint8Array) return data.length;
  return undefined;
}

/**
 * The SharedKey string to sign (API version 2015-02-21 and later), from one request only: its
 * method, path (as sent), params (decoded values, as the server sees them) and headers.
 */
export function sharedKeyStringToSign(account: string, request: Pick<LibcloudRequest, "method" | "action" | "params" | "headers" | "data">): string {
  const headers = request.headers;
  let contentLength = headerOf(headers, "content-length");
  if (contentLength === "") contentLength = String(byteLength(request.data) ?? "");
  if (contentLength === "0") contentLength = "";
  const standard = [
    "content-encoding", "content-language", null, "content-md5", "content-type", "date",
    "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
  ].map((name) => (name === null ? contentLength : headerOf(headers, name)));
  const msHeaders = Object.keys(headers)
    .map((k) => [k.toLowerCase(), String(headers[k] ?? "").replace(/\s+/g, " ").trim()] as const)
    .filter(([k]) => k.startsWith("x-ms-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  const path = request.action.split("?")[0] ?? "/";
  const query = new Map<string, string[]>();
  const pairs = Array.isArray(request.params) ? request.params : Object.entries(request.params);
  for (const [name, value] of pairs) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value.map(paramText) : [paramText(value)];
    const key = name.toLowerCase();
    query.set(key, [...(query.get(key) ?? []), ...values]);
  }
  const canonicalQuery = [...query.keys()].sort().map((k) => `\n${k}:${[...query.get(k)!].sort().join(",")}`).join("");
  return `${request.method.toUpperCase()}\n${standard.join("\n")}\n${msHeaders}/${account}${path}${canonicalQuery}`;
}

/** Signing state of an Azure connection: the account and its decoded key (non-enumerable). */
export interface AzureSigner {
  /** The storage account name. */
  readonly userId: string;
  /** The account key, base64-decoded. */
  readonly keyBytes: Buffer;
}

function defaultHeaders(headers: Record<string, string>): Record<string, string> {
  headers["x-ms-date"] = new Date().toUTCString();
  headers["x-ms-version"] = AZURE_API_VERSION;
  return headers;
}

function sign(signer: AzureSigner, params: Params, headers: Record<string, string>, request: LibcloudRequest | undefined): [Params, Record<string, string>] {
  if (request === undefined) throw new LibcloudError("Azure requests are signed from the request object");
  const toSign = sharedKeyStringToSign(signer.userId, { ...request, params, headers });
  const signature = createHmac("sha256", signer.keyBytes).update(toSign, "utf8").digest("base64");
  headers["Authorization"] = `SharedKey ${signer.userId}:${signature}`;
  return [params, headers];
}

function decodeKey(target: object, key: string): void {
  const keyBytes = Buffer.from(key, "base64");
  if (keyBytes.length === 0) throw new InvalidCredsError("The Azure account key must be the base64 key of the storage account");
  Object.defineProperty(target, "keyBytes", { value: keyBytes, enumerable: false });
}

// ---- errors ---------------------------------------------------------------------------------

/** What failed: container and object names read back from the request path. */
function namesFromRequest(requestPath: string, request: LibcloudRequest | undefined): { containerName: string | undefined; objectName: string | undefined } {
  if (request === undefined) return { containerName: undefined, objectName: undefined };
  let path = request.action.split("?")[0] ?? "";
  if (requestPath !== "" && path.startsWith(`${requestPath}/`)) path = path.slice(requestPath.length);
  const [, container, ...rest] = path.split("/");
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    containerName: container === undefined || container === "" ? undefined : decode(container),
    objectName: rest.length === 0 || rest.join("/") === "" ? undefined : decode(rest.join("/")),
  };
}

function isContainerRequest(request: LibcloudRequest | undefined): boolean {
  if (request === undefined) return false;
  const pairs = Array.isArray(request.params) ? request.params : Object.entries(request.params);
  return pairs.some(([k, v]) => k === "restype" && v === "container");
}

/**
 * Maps an Azure error (status, `x-ms-error-code` header or `<Error><Code>` body) to libcloud's
 * errors: 401/403 → InvalidCredsError; ContainerNotFound, BlobNotFound, ContainerAlreadyExists,
 * a 400 on a container request, Md5Mismatch → the storage errors. Throws those; returns the message
 * text for anything else (the connection turns it into the status's own error).
 */
export function azureError(response: { status: number; headers: Record<string, string>; request: LibcloudRequest | undefined; connection: { driver?: unknown; requestPath?: unknown } | null }, body: string): string {
  let code = response.headers["x-ms-error-code"];
  let message: string | undefined;
  if (body !== "") {
    try {
      const root: Element = parseXml(body);
      code = root.findtext("Code") ?? code;
      message = root.findtext("Message") ?? undefined;
    } catch {
      message = body;
    }
  }
  message = (message ?? "").split("\n")[0]!.trim();
  const text = [code, message].filter((s) => s !== undefined && s !== "").join(": ") || `HTTP ${response.status}`;
  const driver = response.connection?.driver;
  const requestPath = typeof response.connection?.requestPath === "string" ? response.connection.requestPath : "";
  const { containerName, objectName } = namesFromRequest(requestPath, response.request);
  const status = response.status;
  if (status === 401 || status === 403) throw new InvalidCredsError(text, { driver });
  // A HEAD carries no body: say what is missing in words, with the code.
  const why = (what: string): string => (message === "" ? `${what} (${code ?? `HTTP ${status}`})` : text);
  if (code === "ContainerNotFound" || (status === 404 && code === undefined && objectName === undefined && containerName !== undefined)) {
    throw new ContainerDoesNotExistError(why(`Container ${JSON.stringify(containerName)} does not exist`), { containerName: containerName ?? "", driver });
  }
  if (code === "BlobNotFound" || (status === 404 && code === undefined && objectName !== undefined)) {
    throw new ObjectDoesNotExistError(why(`Object ${JSON.stringify(objectName)} does not exist in container ${JSON.stringify(containerName)}`), {
      objectName: objectName ?? "", driver,
    });
  }
  if (code === "ContainerAlreadyExists" || code === "ContainerBeingDeleted") {
    throw new ContainerAlreadyExistsError(text, { containerName: containerName ?? "", driver });
  }
  if (code === "Md5Mismatch") throw new ObjectHashMismatchError(text, { objectName: objectName ?? "", driver });
  if (status === 400 && objectName === undefined && containerName !== undefined && isContainerRequest(response.request)
    && response.request?.method === "PUT") {
    throw new InvalidContainerNameError(text, { containerName, driver });
  }
  return text;
}

/** Azure's buffered response (`libcloud.common.azure.AzureResponse`): XML, errors mapped by code. */
export class AzureResponse extends XmlResponse {
  override success(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  override parseError(): unknown {
    return azureError(this, this.body);
  }
}

/** Azure's streamed response (uploads and downloads): errors mapped like AzureResponse's. */
export class AzureRawResponse extends RawResponse {
  override success(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  override parseError(): unknown {
    return azureError(this, this.errorBody);
  }
}

// ---- connections ----------------------------------------------------------------------------

/** Options of an Azure connection. */
export type AzureConnectionOptions = ConnectionOptions;

/**
 * The connection of the blob service (`libcloud.common.azure.AzureConnection` and
 * `AzureBlobsConnection`): `userId` is the account name, `key` its base64 key. Each request is
 * signed (SharedKey) in preConnectHook from that request's own method, path, params and headers,
 * so concurrent requests never share signing state. Outside Azure's domains (Azurite) the account
 * is the first path segment.
 */
export class AzureBlobsConnection extends ConnectionUserAndKey implements AzureSigner {
  /** Parses Azure's XML bodies and maps its error codes to libcloud's errors. */
  static override responseCls = AzureResponse;
  /** Raw (streamed) responses, with Azure's error mapping. */
  static override rawResponseCls = AzureRawResponse;
  declare responseCls: typeof AzureResponse;
  declare rawResponseCls: typeof AzureRawResponse;
  /** The account key, base64-decoded (non-enumerable). */
  declare readonly keyBytes: Buffer;

  constructor(userId: string, key: string, options: AzureConnectionOptions = {}) {
    super(userId, key, options);
    decodeKey(this, key);
    if (!isAzureDomain(this.host)) this.requestPath = `/${userId}`;
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return defaultHeaders(headers);
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
    return sign(this, params, headers, request);
  }
}

/**
 * The connection that polls a server-side copy: a `PollingConnection` signing like
 * AzureBlobsConnection, whose poll is a HEAD on the destination blob until `x-ms-copy-status`
 * is `success`; `failed` or `aborted` ends polling with a JobFailedError.
 */
export class AzureBlobsCopyConnection extends PollingConnection implements AzureSigner {
  /** Parses Azure's XML bodies and maps its error codes to libcloud's errors. */
  static override responseCls = AzureResponse;
  /** Raw (streamed) responses, with Azure's error mapping. */
  static override rawResponseCls = AzureRawResponse;
  declare responseCls: typeof AzureResponse;
  declare rawResponseCls: typeof AzureRawResponse;
  /** The storage account name. */
  readonly userId: string;
  /** The account key, base64-decoded (non-enumerable). */
  declare readonly keyBytes: Buffer;

  constructor(userId: string, key: string, options: AzureConnectionOptions = {}) {
    super(options);
    this.userId = userId;
    decodeKey(this, key);
    if (!isAzureDomain(this.host)) this.requestPath = `/${userId}`;
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return defaultHeaders(headers);
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
    return sign(this, params, headers, request);
  }

  override getPollRequestOptions({ requestOptions }: { requestOptions: PollRequestOptions }): PollRequestOptions {
    return { action: requestOptions.action, method: "HEAD" };
  }

  override hasCompleted(response: AzureResponse): boolean {
    const status = response.headers["x-ms-copy-status"];
    if (status === "success") return true;
    if (status === "pending") return false;
    const description = response.headers["x-ms-copy-status-description"];
    throw new JobFailedError(`Copy ${status ?? "status missing"}${description ? `: ${description}` : ""}`, { driver: this.driver });
  }
}

// ---- the driver -----------------------------------------------------------------------------

/** Options of `new AzureBlobsStorageDriver(account, key, options)`. */
export type AzureBlobsStorageDriverOptions = BaseDriverOptions;

/** Python's urllib.parse.quote(name, safe="/"): what libcloud puts in blob paths. */
function quotePath(name: string): string {
  return name.split("/").map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join("/");
}

function unquoteEtag(etag: string | null | undefined): string | null {
  if (etag === undefined || etag === null) return null;
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function md5Hex(base64: string | null | undefined): string | null {
  if (base64 === undefined || base64 === null || base64 === "") return null;
  return Buffer.from(base64, "base64").toString("hex");
}

function metaFromHeaders(headers: Record<string, string>): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (key.startsWith("x-ms-meta-")) meta[key.slice("x-ms-meta-".length)] = value;
  return meta;
}

function metaFromXml(node: Element | null): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const child of node?.children ?? []) meta[child.tag] = child.text ?? "";
  return meta;
}

/** Headers libcloud stores with the blob under x-ms-blob-* (`_fix_headers`). */
const BLOB_PROPERTY_HEADERS = new Set(["cache-control", "content-encoding", "content-language", "content-disposition"]);

/**
 * Reads an iterable into blocks of exactly `size` bytes (the last may be shorter), hashing each
 * block and the whole object as the bytes arrive. The blocks live in `bufferCount` buffers used in
 * turn (no garbage per block): a yielded block stays intact until `bufferCount - 1` more have been
 * requested. uploadObjectViaStream uses its blocks-in-flight + 2 (those being sent, one waiting, one
 * being filled).
 */
async function* readBlocks(
  iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number, whole: ReturnType<typeof createHash>, bufferCount: number,
): AsyncGenerator<{ data: Buffer; md5: string }> {
  const buffers: Buffer[] = [];
  let turn = 0;
  const nextBuffer = (): Buffer => {
    const index = turn++ % bufferCount;
    return (buffers[index] ??= Buffer.allocUnsafe(size));
  };
  let block = nextBuffer();
  let filled = 0;
  let hash = createHash("md5");
  for await (const piece of iterable as AsyncIterable<Uint8Array>) {
    if (!(piece instanceof Uint8Array)) throw new TypeError(`uploadObjectViaStream: the iterable must yield Buffers or Uint8Arrays, got ${typeof piece}`);
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(size - filled, piece.length - offset);
      const part = piece.subarray(offset, offset + n);
      block.set(part, filled);
      hash.update(part);
      whole.update(part);
      filled += n;
      offset += n;
      if (filled === size) {
        yield { data: block, md5: hash.digest("base64") };
        block = nextBuffer();
        filled = 0;
        hash = createHash("md5");
      }
    }
  }
  if (filled > 0) yield { data: block.subarray(0, filled), md5: hash.digest("base64") };
}

/** A lease as Azure reports it (`x-ms-lease-status`, `-state`, `-duration`); null when absent. */
export type AzureLease = {
  /** `x-ms-lease-status`: `locked` or `unlocked`. */
  status: string | null;
  /** `x-ms-lease-state`: `available`, `leased`, `expired`, `breaking` or `broken`. */
  state: string | null;
  /** `x-ms-lease-duration`: `infinite` or `fixed`. */
  duration: string | null;
};

/** `extra` of an Azure container. */
export type AzureContainerExtra = {
  /** The container's URL. */
  url: string | null;
  /** The ETag without quotes. */
  etag: string | null;
  /** `Last-Modified`, as Azure sends it. */
  lastModified: string | null;
  /** The container's lease. */
  lease: AzureLease;
  /** User metadata (`x-ms-meta-*`). */
  metaData: Record<string, string>;
};

/**
 * `extra` of an Azure blob. Listings and HEAD give every field; an upload's result has only
 * url, etag, md5Hash, contentType and lastModified.
 */
export type AzureObjectExtra = {
  /** The blob's URL. */
  url: string;
  /** The ETag without quotes. */
  etag: string | null;
  /** Content-MD5 as hex. */
  md5Hash: string | null;
  /** `Content-Type` stored with the blob. */
  contentType: string | null;
  /** `Last-Modified`, as Azure sends it. */
  lastModified: string | null;
  /** The blob's lease. */
  lease?: AzureLease;
  /** `Content-Encoding` stored with the blob. */
  contentEncoding?: string | null;
  /** `Content-Language` stored with the blob. */
  contentLanguage?: string | null;
  /** `BlockBlob`, `PageBlob` or `AppendBlob`. */
  blobType?: string | null;
};

/**
 * Azure Blob Storage (`libcloud.storage.drivers.azure_blobs.AzureBlobsStorageDriver`).
 * `key` is the storage account name, `secret` its base64 access key. Without `host` the driver
 * talks to `<account>.blob.core.windows.net`; any other host (Azurite: `127.0.0.1`, `secure: false`)
 * is addressed path-style.
 */
export class AzureBlobsStorageDriver extends StorageDriver<AzureBlobsConnection, AzureContainerExtra, AzureObjectExtra> {
  static override connectionCls = AzureBlobsConnection;

  override name = "Microsoft Azure (blobs)";
  override website = "http://windows.azure.com/";
  /** The driver's connection (SharedKey-signed). */
  declare connection: AzureBlobsConnection;
  /** The polling connection used by copyObject (same account, host and options). */
  readonly copyConnection: AzureBlobsCopyConnection;
  /** Items per listing page. @defaultValue 100 */
  responsesPerRequest = RESPONSES_PER_REQUEST;
  /** Upload block size in bytes; objects up to it go in one Put Blob. @defaultValue 4 MiB */
  uploadChunkSize = AZURE_UPLOAD_CHUNK_SIZE;
  /** Blocks sent at once by uploads over `uploadChunkSize` (memory: this + 2 blocks). @defaultValue 3 */
  uploadConcurrency = 3;
  /** Download chunk size in bytes (downloadObject). @defaultValue 4 MiB */
  downloadChunkSize = AZURE_DOWNLOAD_CHUNK_SIZE;

  constructor(key: string, secret: string, options: AzureBlobsStorageDriverOptions = {}) {
    if (typeof secret !== "string" || secret === "") throw new TypeError("AzureBlobsStorageDriver(account, key): the account key is required");
    const host = options.host ?? `${key}.${AZURE_STORAGE_HOST_SUFFIX}`;
    super(key, secret, { ...options, host });
    const { apiVersion: _a, region: _r, ...connectionOptions } = options;
    const copyOptions: Record<string, unknown> = { ...connectionOptions, host, secure: this.secure };
    for (const k of Object.keys(copyOptions)) if (copyOptions[k] === undefined) delete copyOptions[k];
    this.copyConnection = new AzureBlobsCopyConnection(key, secret, copyOptions);
    this.copyConnection.driver = this;
    this.copyConnection.connect();
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    await Promise.all([this.connection.close(), this.copyConnection.close()]);
  }

  #containerPath(containerName: string): string {
    return `/${containerName}`;
  }

  #objectPath(containerName: string, objectName: string): string {
    return `/${containerName}/${quotePath(objectName)}`;
  }

  /** The URL of a blob (what Copy Blob takes as its source). */
  #objectUrl(containerName: string, objectName: string): string {
    const c = this.connection;
    const origin = `${c.secure ? "https" : "http"}://${c.host.includes(":") ? `[${c.host}]` : c.host}${c.port === (c.secure ? 443 : 80) ? "" : `:${c.port}`}`;
    return `${origin}${c.requestPath}${this.#objectPath(containerName, objectName)}`;
  }

  #xmlToContainer(node: Element): Container<AzureContainerExtra> {
    const props = node.find("Properties");
    return new Container(node.findtext("Name") ?? "", {
      url: node.findtext("Url"),
      lastModified: props?.findtext("Last-Modified") ?? null,
      etag: unquoteEtag(props?.findtext("Etag")),
      lease: { status: props?.findtext("LeaseStatus") ?? null, state: props?.findtext("LeaseState") ?? null, duration: props?.findtext("LeaseDuration") ?? null },
      metaData: metaFromXml(node.find("Metadata")),
    }, this);
  }

  #responseToContainer(containerName: string, headers: Record<string, string>): Container<AzureContainerExtra> {
    return new Container(containerName, {
      url: `${this.#objectUrl(containerName, "").replace(/\/$/, "")}`,
      etag: unquoteEtag(headers["etag"]),
      lastModified: headers["last-modified"] ?? null,
      lease: { status: headers["x-ms-lease-status"] ?? null, state: headers["x-ms-lease-state"] ?? null, duration: headers["x-ms-lease-duration"] ?? null },
      metaData: metaFromHeaders(headers),
    }, this);
  }

  #xmlToObject(container: Container, blob: Element): StorageObject<AzureObjectExtra> {
    const name = blob.findtext("Name") ?? "";
    const props = blob.find("Properties");
    const text = (tag: string): string | null => props?.findtext(tag) ?? null;
    const etag = unquoteEtag(text("Etag"));
    return new StorageObject({
      name,
      size: Number(text("Content-Length") ?? 0),
      hash: etag,
      extra: {
        contentType: text("Content-Type"),
        etag,
        md5Hash: md5Hex(text("Content-MD5")),
        lastModified: text("Last-Modified"),
        url: blob.findtext("Url") ?? this.#objectUrl(container.name, name),
        lease: { status: text("LeaseStatus"), state: text("LeaseState"), duration: text("LeaseDuration") },
        contentEncoding: text("Content-Encoding"),
        contentLanguage: text("Content-Language"),
        blobType: text("BlobType"),
      },
      metaData: metaFromXml(blob.find("Metadata")),
      container,
      driver: this,
    });
  }

  #responseToObject(objectName: string, container: Container, headers: Record<string, string>): StorageObject<AzureObjectExtra> {
    const etag = unquoteEtag(headers["etag"]);
    return new StorageObject({
      name: objectName,
      size: Number(headers["content-length"] ?? 0),
      hash: etag,
      extra: {
        url: this.#objectUrl(container.name, objectName),
        etag,
        md5Hash: md5Hex(headers["content-md5"]),
        contentType: headers["content-type"] ?? null,
        contentLanguage: headers["content-language"] ?? null,
        contentEncoding: headers["content-encoding"] ?? null,
        lastModified: headers["last-modified"] ?? null,
        lease: { status: headers["x-ms-lease-status"] ?? null, state: headers["x-ms-lease-state"] ?? null, duration: headers["x-ms-lease-duration"] ?? null },
        blobType: headers["x-ms-blob-type"] ?? null,
      },
      metaData: metaFromHeaders(headers),
      container,
      driver: this,
    });
  }

  /** Follows NextMarker across listing pages, yielding each page's items. */
  async *#pages(action: string, params: Record<string, string | number>, listTag: string, itemTag: string, signal: AbortSignal | undefined): AsyncGenerator<Element> {
    let marker: string | undefined;
    do {
      const response: AzureResponse = await this.connection.request(action, {
        params: marker === undefined ? params : { ...params, marker }, signal,
      });
      const body = response.object;
      for (const item of body.find(listTag)?.findall(itemTag) ?? []) yield item;
      marker = body.findtext("NextMarker") || undefined;
    } while (marker !== undefined);
  }

  override async *iterateContainers(options: { signal?: AbortSignal | undefined } = {}): AsyncIterableIterator<Container<AzureContainerExtra>> {
    const params = { comp: "list", maxresults: this.responsesPerRequest, include: "metadata" };
    for await (const node of this.#pages("/", params, "Containers", "Container", options.signal)) yield this.#xmlToContainer(node);
  }

  override async *iterateContainerObjects(container: Container, options: ListObjectsOptions = {}): AsyncIterableIterator<StorageObject<AzureObjectExtra>> {
    const params: Record<string, string | number> = { restype: "container", comp: "list", maxresults: this.responsesPerRequest, include: "metadata" };
    if (options.prefix !== undefined && options.prefix !== "") params["prefix"] = options.prefix;
    for await (const blob of this.#pages(this.#containerPath(container.name), params, "Blobs", "Blob", options.signal)) {
      yield this.#xmlToObject(container, blob);
    }
  }

  override async getContainer(containerName: string): Promise<Container<AzureContainerExtra>> {
    const response: AzureResponse = await this.connection.request(this.#containerPath(containerName), { method: "HEAD", params: { restype: "container" } });
    return this.#responseToContainer(containerName, response.headers);
  }

  override async createContainer(containerName: string): Promise<Container<AzureContainerExtra>> {
    const response: AzureResponse = await this.connection.request(this.#containerPath(containerName), { method: "PUT", params: { restype: "container" } });
    return this.#responseToContainer(containerName, response.headers);
  }

  /** Deletes a container; like libcloud, refuses one that still holds objects (Azure would delete them). */
  override async deleteContainer(container: Container): Promise<boolean> {
    const probe: AzureResponse = await this.connection.request(this.#containerPath(container.name), {
      params: { restype: "container", comp: "list", maxresults: 1 },
    });
    if ((probe.object.find("Blobs")?.findall("Blob").length ?? 0) > 0) {
      throw new ContainerIsNotEmptyError("Container must be empty before it can be deleted.", { containerName: container.name, driver: this });
    }
    await this.connection.request(this.#containerPath(container.name), { method: "DELETE", params: { restype: "container" } });
    return true;
  }

  /** One HEAD on the blob: properties and metadata (a missing container says so by its error code). */
  override async getObject(containerName: string, objectName: string): Promise<StorageObject<AzureObjectExtra>> {
    const response: AzureResponse = await this.connection.request(this.#objectPath(containerName, objectName), { method: "HEAD" });
    return this.#responseToObject(objectName, new Container(containerName, {}, this), response.headers);
  }

  override async uploadObject(filePath: string, container: Container, objectName: string, options: UploadObjectOptions = {}): Promise<StorageObject<AzureObjectExtra>> {
    const { verifyHash: _verifyHash, ...rest } = options;
    const size = (await stat(filePath)).size;
    const obj = await this.uploadObjectViaStream(createReadStream(filePath, { highWaterMark: 1024 * 1024 }), container, objectName, rest);
    if (obj.size !== size) {
      throw new LibcloudError(`${JSON.stringify(filePath)} changed during the upload: ${obj.size} bytes sent, ${size} expected`, { driver: this });
    }
    return obj;
  }

  /**
   * Uploads in constant memory: up to `uploadChunkSize` bytes in one Put Blob, else one Put Block
   * per block (the next block is read while the previous one is sent) and a Put Block List. Each
   * request carries the MD5 of its body, computed as the bytes arrive, so the service checks every
   * block (a mismatch is an ObjectHashMismatchError); the object's MD5 is stored with it. A block
   * that fails (5xx, 429, a dropped connection) is retried from its buffer.
   */
  override async uploadObjectViaStream(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, options: UploadStreamOptions = {},
  ): Promise<StorageObject<AzureObjectExtra>> {
    const { extra = {}, headers: userHeaders = {}, onProgress, signal } = options;
    const path = this.#objectPath(container.name, objectName);
    const blobHeaders: Record<string, string> = {};
    for (const [key, value] of Object.entries(userHeaders)) {
      blobHeaders[BLOB_PROPERTY_HEADERS.has(key.toLowerCase()) ? `x-ms-blob-${key.toLowerCase()}` : key] = value;
    }
    for (const [key, value] of Object.entries(extra.metaData ?? {})) blobHeaders[`x-ms-meta-${key}`] = value;
    blobHeaders["x-ms-blob-content-type"] = extra.contentType ?? "application/octet-stream";

    const whole = createHash("md5");
    const concurrency = Math.max(1, Math.floor(this.uploadConcurrency));
    const blocks = readBlocks(iterable, this.uploadChunkSize, whole, concurrency + 2);
    let sent = 0;
    let next = await blocks.next();
    const first = next.done === true ? { data: Buffer.alloc(0), md5: createHash("md5").digest("base64") } : next.value;
    next = next.done === true ? next : await blocks.next();
    let response: AzureResponse;
    let objectMd5: string;
    if (next.done === true) {
      objectMd5 = first.md5;
      response = await this.connection.request(path, {
        method: "PUT",
        headers: { ...blobHeaders, "x-ms-blob-type": "BlockBlob", "Content-Length": first.data.length, "Content-MD5": first.md5 },
        data: () => first.data,
        retryFailed: true,
        signal,
      });
      sent = first.data.length;
      onProgress?.(sent);
    } else {
      const ids: string[] = [];
      const putBlock = async (block: { data: Buffer; md5: string }): Promise<void> => {
        const id = Buffer.from(`block-${String(ids.length).padStart(10, "0")}`).toString("base64");
        ids.push(id);
        await this.connection.request(path, {
          method: "PUT",
          params: { comp: "block", blockid: id },
          headers: { "Content-Length": block.data.length, "Content-MD5": block.md5 },
          data: () => block.data,
          retryFailed: true,
          signal,
        });
        sent += block.data.length;
        onProgress?.(sent);
      };
      // Up to `concurrency` blocks are sent at once while the next one is read: the emulator or
      // service, not the client, is what an upload waits on.
      const inFlight: Promise<void>[] = [];
      let reading: Promise<IteratorResult<{ data: Buffer; md5: string }>> | undefined;
      try {
        let block: { data: Buffer; md5: string } = first;
        for (;;) {
          if (inFlight.length >= concurrency) await inFlight.shift();
          const put = putBlock(block);
          put.catch(() => {}); // handled: awaited in order below, or settled on failure
          inFlight.push(put);
          if (next.done === true) break;
          block = next.value;
          reading = blocks.next();
          next = await reading;
        }
        await Promise.all(inFlight);
      } catch (error) {
        // Settle everything before giving up, so no rejection is left unhandled.
        await Promise.allSettled([...inFlight, reading]);
        await blocks.return(undefined).catch(() => {});
        throw error;
      }
      objectMd5 = whole.digest("base64");
      const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
      response = await this.connection.request(path, {
        method: "PUT",
        params: { comp: "blocklist" },
        headers: {
          ...blobHeaders,
          "x-ms-blob-content-md5": objectMd5,
          "Content-Length": Buffer.byteLength(list),
          "Content-MD5": createHash("md5").update(list).digest("base64"),
          "Content-Type": "application/xml",
        },
        data: list,
        retryFailed: true,
        signal,
      });
    }
    const etag = unquoteEtag(response.headers["etag"]);
    return new StorageObject({
      name: objectName,
      size: sent,
      hash: etag,
      extra: {
        etag,
        md5Hash: md5Hex(objectMd5),
        contentType: blobHeaders["x-ms-blob-content-type"] ?? null,
        lastModified: response.headers["last-modified"] ?? null,
        url: this.#objectUrl(container.name, objectName),
      },
      metaData: { ...(extra.metaData ?? {}) },
      container,
      driver: this,
    });
  }

  #rawGet(obj: StorageObject, signal: AbortSignal | undefined): Promise<AzureRawResponse> {
    // identity: the blob's bytes exactly as stored, even when it was saved with Content-Encoding: gzip
    // (the transport would otherwise decode it, and the size would not match).
    return this.connection.request(this.#objectPath(obj.container.name, obj.name), { raw: true, signal, headers: { "Accept-Encoding": "identity" } });
  }

  override async downloadObject(obj: StorageObject, destinationPath: string, options: DownloadObjectOptions = {}): Promise<boolean> {
    return this.saveObject(obj, async () => {
      const response = await this.#rawGet(obj, options.signal);
      const length = response.headers["content-length"];
      return { body: response.iterContent(), expectedSize: length === undefined ? undefined : Number(length) };
    }, destinationPath, options);
  }

  override async downloadObjectAsStream(obj: StorageObject, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    const response = await this.#rawGet(obj, options.signal);
    const length = response.headers["content-length"];
    const expected = length === undefined ? undefined : Number(length);
    const incomplete = (received: number): LibcloudError =>
      new LibcloudError(`Download of ${JSON.stringify(obj.name)} is incomplete: got ${received} of ${expected} bytes`, { driver: this });
    async function* checked(): AsyncGenerator<Buffer> {
      let received = 0;
      for await (const chunk of response.iterContent(options.chunkSize)) {
        received += chunk.length;
        yield chunk;
      }
      if (expected !== undefined && received !== expected) {
        throw incomplete(received);
      }
    }
    return checked();
  }

  override async deleteObject(obj: StorageObject): Promise<boolean> {
    await this.connection.request(this.#objectPath(obj.container.name, obj.name), { method: "DELETE" });
    return true;
  }

  /**
   * Server-side copy (not in libcloud's driver): Copy Blob, then polling (copyConnection) of
   * `x-ms-copy-status` on the destination until `success`; `failed`/`aborted` → JobFailedError.
   * Returns the destination object, read from the last poll.
   */
  override async copyObject(obj: StorageObject, container: Container, objectName: string, options: { signal?: AbortSignal | undefined } = {}): Promise<StorageObject<AzureObjectExtra>> {
    const response: AzureResponse = await this.copyConnection.asyncRequest(this.#objectPath(container.name, objectName), {
      method: "PUT",
      headers: { "x-ms-copy-source": this.#objectUrl(obj.container.name, obj.name) },
      signal: options.signal,
    });
    return this.#responseToObject(objectName, container, response.headers);
  }
}
