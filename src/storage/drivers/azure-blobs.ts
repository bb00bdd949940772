// Port of libcloud/storage/drivers/azure_blobs.py (and libcloud/common/azure.py's AzureResponse):
// Azure Blob Storage, built on libcloud-ts's public API only; SharedKey signing is src/common/azure.ts.
import { createHash } from "node:crypto";
import {
  AZURE_API_VERSION, AZURE_OPTION_NAMES, AzureAuth, AzureConnection, BaseDriver, InvalidCredsError, JobFailedError, LibcloudError,
  PollingConnection, RawResponse, XmlResponse, azureDefaultHeaders, azureHmac, isAzureDomain, parseXml, type AzureConnectionOptions as CommonAzureConnectionOptions,
  type BaseDriverOptions, type Element, type LibcloudRequest, type Params, type PollRequestOptions,
} from "../../index.js";
import { Container } from "../container.js";
import {
  ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError, DownloadIncompleteError, InvalidContainerNameError,
  ObjectDoesNotExistError, ObjectHashMismatchError,
} from "../errors.js";
import { checkContainerName, checkObjectName } from "../names.js";
import {
  StorageDriver, type DownloadObjectOptions, type DownloadSource, type DownloadStreamOptions, type ListObjectsOptions, type UploadExtra,
  type UploadObjectOptions, type UploadStreamOptions,
} from "../storage-driver.js";
import { StorageObject } from "../storage-object.js";
import { AzureBlobLease } from "./azure-blob-lease.js";
import { checkOptionKeysOf, checkStorageOptions, readFileChecked } from "../transfer.js";
import { runUpload, stopSource } from "../upload-engine.js";
import type { PartHasher } from "../part-hasher.js";

/** Host suffix of Azure's public cloud; the account is the first label. */
export const AZURE_STORAGE_HOST_SUFFIX = "blob.core.windows.net";
/** Host suffixes of the sovereign clouds and Private Link (libcloud's AZURE_STORAGE_HOST_SUFFIX_*): a host ending so gets `<account>.<suffix>`. */
export const AZURE_STORAGE_HOST_SUFFIXES_PREFIXED = ["blob.core.chinacloudapi.cn", "blob.core.usgovcloudapi.net", "privatelink.blob.core.windows.net"] as const;
/** Hours a SAS URL of `getObjectCdnUrl` is valid by default (libcloud's AZURE_STORAGE_CDN_URL_EXPIRY_HOURS). */
export const AZURE_STORAGE_CDN_URL_EXPIRY_HOURS = 24;
/** Minutes before now a SAS URL starts being valid, for clock skew (libcloud's AZURE_STORAGE_CDN_URL_START_MINUTES). */
export const AZURE_STORAGE_CDN_URL_START_MINUTES = 5;
/** Seconds a lease taken by `exUseLease` lasts (libcloud's AZURE_LEASE_PERIOD); it is renewed while the upload runs. */
export const AZURE_LEASE_PERIOD = 60;
/** Items per listing page (libcloud's RESPONSES_PER_REQUEST). */
export const RESPONSES_PER_REQUEST = 100;
/** Block size of uploads, bytes (libcloud's AZURE_UPLOAD_CHUNK_SIZE): up to it, one Put Blob. */
export const AZURE_UPLOAD_CHUNK_SIZE = 4 * 1024 * 1024;
/** Chunk size of downloads, bytes (libcloud's AZURE_DOWNLOAD_CHUNK_SIZE). */
export const AZURE_DOWNLOAD_CHUNK_SIZE = 4 * 1024 * 1024;

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
  if (status === 401 || status === 403) throw new InvalidCredsError(text, { driver, statusCode: status });
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

/** Options of an Azure connection (SharedKey or Azure AD). */
export type AzureConnectionOptions = CommonAzureConnectionOptions;

/**
 * The connection of the blob service (`libcloud.storage.drivers.azure_blobs.AzureBlobsConnection`):
 * an AzureConnection (SharedKey, libcloud-ts's `libcloud.common.azure`) whose responses map Azure's
 * storage error codes.
 */
export class AzureBlobsConnection extends AzureConnection {
  static override responseCls = AzureResponse;
  /** Raw (streamed) responses, with Azure's error mapping. */
  static override rawResponseCls = AzureRawResponse;
  declare responseCls: typeof AzureResponse;
  declare rawResponseCls: typeof AzureRawResponse;
}

/**
 * The connection that polls a server-side copy: a `PollingConnection` signing like
 * AzureBlobsConnection, whose poll is a HEAD on the destination blob until `x-ms-copy-status`
 * is `success`; `failed` or `aborted` ends polling with a JobFailedError.
 */
export class AzureBlobsCopyConnection extends PollingConnection {
  static override responseCls = AzureResponse;
  /** Raw (streamed) responses, with Azure's error mapping. */
  static override rawResponseCls = AzureRawResponse;
  declare responseCls: typeof AzureResponse;
  declare rawResponseCls: typeof AzureRawResponse;
  static override optionNames: ReadonlySet<string> = new Set([...PollingConnection.optionNames, ...AZURE_OPTION_NAMES]);
  /** The storage account name. */
  readonly userId: string;
  /** How requests are authorised (non-enumerable): the driver's main connection's, shared. */
  declare readonly auth: AzureAuth;

  constructor(userId: string, key: string, options: AzureConnectionOptions = {}, auth?: AzureAuth) {
    super(options);
    this.userId = userId;
    Object.defineProperty(this, "auth", { value: auth ?? new AzureAuth(userId, key, options), enumerable: false });
    if (!isAzureDomain(this.host)) this.requestPath = `/${userId}`;
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return azureDefaultHeaders(headers);
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest):
    [Params, Record<string, string>] | Promise<[Params, Record<string, string>]> {
    return this.auth.authorize(params, headers, request);
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

/** Options of `new AzureBlobsStorageDriver(account, key, options)`: the base's, and Azure AD's (libcloud's `auth_type="azureAd"`). */
export type AzureBlobsStorageDriverOptions = BaseDriverOptions & Pick<CommonAzureConnectionOptions, "authType" | "tenantId" | "identity" | "cloudEnvironment">;

/**
 * The host of an account (libcloud's `_ex_connection_class_kwargs`): none given, the public cloud's
 * `<account>.blob.core.windows.net`; a host ending in a sovereign cloud's (or Private Link's)
 * suffix, `<account>.<suffix>`; any other host as given (Azurite: the account goes in the path).
 */
export function azureHost(account: string, host: string | undefined): string {
  if (host === undefined) return `${account}.${AZURE_STORAGE_HOST_SUFFIX}`;
  const lower = host.toLowerCase();
  const suffix = AZURE_STORAGE_HOST_SUFFIXES_PREFIXED.find((s) => lower === s || lower.endsWith(`.${s}`));
  return suffix === undefined ? host : `${account}.${suffix}`;
}

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

/** Options of the Azure driver's `uploadObjectViaStream`: the base's, and libcloud's `ex_use_lease`. */
export interface AzureUploadStreamOptions extends UploadStreamOptions {
  /**
   * Take a lease on the blob (when it exists) for the upload, renew it while the upload runs and
   * release it at the end, as libcloud's `AzureBlobLease`: no other writer can change the blob meanwhile.
   * @defaultValue false
   */
  exUseLease?: boolean | undefined;
}

/** Options of the Azure driver's `uploadObject`. */
export interface AzureUploadObjectOptions extends UploadObjectOptions {
  /** As in {@link AzureUploadStreamOptions.exUseLease}. @defaultValue false */
  exUseLease?: boolean | undefined;
}

/** Options of the Azure driver's `getObjectCdnUrl`. */
export interface AzureCdnUrlOptions {
  /** Hours until the URL expires (libcloud's `ex_expiry`). @defaultValue 24 */
  exExpiry?: number | undefined;
}

/** SAS times: `%Y-%m-%dT%H:%M:%SZ` (libcloud's AZURE_STORAGE_CDN_URL_DATE_FORMAT). */
function sasTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The upload options the Azure driver takes beyond the base's. */
const AZURE_UPLOAD_OPTION_NAMES = ["exUseLease"] as const;

/** Headers libcloud stores with the blob under x-ms-blob-* (`_fix_headers`). */
const BLOB_PROPERTY_HEADERS = new Set(["cache-control", "content-encoding", "content-language", "content-disposition"]);

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
  static override optionNames: ReadonlySet<string> = new Set([...BaseDriver.optionNames, ...AZURE_OPTION_NAMES]);

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
  /** Where uploads hash their blocks (the upload engine's `hasher`). @defaultValue the engine's default */
  uploadHasher: PartHasher | undefined = undefined;
  /** Download chunk size in bytes (downloadObject). @defaultValue 4 MiB */
  downloadChunkSize = AZURE_DOWNLOAD_CHUNK_SIZE;

  constructor(key: string, secret: string, options: AzureBlobsStorageDriverOptions = {}) {
    if (typeof secret !== "string" || secret === "") throw new TypeError("AzureBlobsStorageDriver(account, key): the account key is required");
    super(key, secret, { ...options, host: azureHost(key, options.host) });
    const host = this.connection.host;
    const { apiVersion: _a, region: _r, ...connectionOptions } = options;
    const copyOptions: Record<string, unknown> = { ...connectionOptions, host, secure: this.secure };
    for (const k of Object.keys(copyOptions)) if (copyOptions[k] === undefined) delete copyOptions[k];
    this.copyConnection = new AzureBlobsCopyConnection(key, secret, copyOptions, this.connection.auth);
    this.copyConnection.driver = this;
    this.copyConnection.connect();
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    await Promise.all([this.connection.close(), this.copyConnection.close()]);
  }

  /** Every request's container path: the name vetted (H2) and percent-encoded whole, so it is one segment. */
  #containerPath(containerName: string): string {
    return `/${quotePath(checkContainerName(containerName)).replace(/\//g, "%2F")}`;
  }

  /** Every request's blob path: both names vetted (H2), the object's segments percent-encoded, so the service takes them literally. */
  #objectPath(containerName: string, objectName: string): string {
    return `${this.#containerPath(containerName)}/${quotePath(checkObjectName(objectName))}`;
  }

  /** The URL of a blob (what Copy Blob takes as its source). */
  #origin(): string {
    const c = this.connection;
    return `${c.secure ? "https" : "http"}://${c.host.includes(":") ? `[${c.host}]` : c.host}${c.port === (c.secure ? 443 : 80) ? "" : `:${c.port}`}`;
  }

  #objectUrl(containerName: string, objectName?: string): string {
    const c = this.connection;
    const origin = this.#origin();
    const path = objectName === undefined ? this.#containerPath(containerName) : this.#objectPath(containerName, objectName);
    return `${origin}${c.requestPath}${path}`;
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
      url: this.#objectUrl(containerName),
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
    checkStorageOptions(options, "signal", "iterateContainers");
    const params = { comp: "list", maxresults: this.responsesPerRequest, include: "metadata" };
    for await (const node of this.#pages("/", params, "Containers", "Container", options.signal)) yield this.#xmlToContainer(node);
  }

  override async *iterateContainerObjects(container: Container, options: ListObjectsOptions = {}): AsyncIterableIterator<StorageObject<AzureObjectExtra>> {
    checkStorageOptions(options, "list", "iterateContainerObjects");
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
    const path = this.#containerPath(container.name);
    const probe: AzureResponse = await this.connection.request(path, {
      params: { restype: "container", comp: "list", maxresults: 1 },
    });
    if ((probe.object.find("Blobs")?.findall("Blob").length ?? 0) > 0) {
      throw new ContainerIsNotEmptyError("Container must be empty before it can be deleted.", { containerName: container.name, driver: this });
    }
    await this.connection.request(path, { method: "DELETE", params: { restype: "container" } });
    return true;
  }

  /** One HEAD on the blob: properties and metadata (a missing container says so by its error code). */
  override async getObject(containerName: string, objectName: string): Promise<StorageObject<AzureObjectExtra>> {
    const response: AzureResponse = await this.connection.request(this.#objectPath(containerName, objectName), { method: "HEAD" });
    return this.#responseToObject(objectName, new Container(containerName, {}, this), response.headers);
  }

  /**
   * Uploads a file, holding it to its size when opened: a file that shrinks, grows, changes or
   * disappears while it is read fails with an UploadError before anything is committed (H5).
   */
  override async uploadObject(filePath: string, container: Container, objectName: string, options: AzureUploadObjectOptions = {}): Promise<StorageObject<AzureObjectExtra>> {
    checkStorageOptions(options, "upload", "uploadObject", AZURE_UPLOAD_OPTION_NAMES);
    const path = this.#objectPath(container.name, objectName);
    const { verifyHash: _verifyHash, ...rest } = options;
    const { size, chunks } = await readFileChecked(filePath, objectName);
    return this.#upload(chunks, container, objectName, path, rest, size);
  }

  /**
   * Uploads in constant memory: up to `uploadChunkSize` bytes in one Put Blob, else one Put Block
   * per block (the next block is read while the previous one is sent) and a Put Block List. Each
   * request carries the MD5 of its body, computed as the bytes arrive, so the service checks every
   * block (a mismatch is an ObjectHashMismatchError); the object's MD5 is stored with it. A block
   * that fails (5xx, 429, a dropped connection) is retried from its buffer. Nothing is committed
   * (the Put Blob or Put Block List is not sent) unless the source ended without an error and every
   * block was stored; an abort stops the upload at once, even while the source stalls (H5).
   * `exUseLease` takes a lease on an existing blob for the upload, as libcloud's AzureBlobLease.
   */
  override async uploadObjectViaStream(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, options: AzureUploadStreamOptions = {},
  ): Promise<StorageObject<AzureObjectExtra>> {
    checkStorageOptions(options, "uploadStream", "uploadObjectViaStream", AZURE_UPLOAD_OPTION_NAMES);
    const path = this.#objectPath(container.name, objectName);
    return this.#upload(iterable, container, objectName, path, options, undefined);
  }

  async #upload(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, path: string,
    options: AzureUploadStreamOptions, totalBytes: number | undefined,
  ): Promise<StorageObject<AzureObjectExtra>> {
    const { extra = {}, headers: userHeaders = {}, onProgress, signal, exUseLease = false } = options;
    const blobHeaders: Record<string, string> = {};
    for (const [key, value] of Object.entries(userHeaders)) {
      blobHeaders[BLOB_PROPERTY_HEADERS.has(key.toLowerCase()) ? `x-ms-blob-${key.toLowerCase()}` : key] = value;
    }
    for (const [key, value] of Object.entries(extra.metaData ?? {})) blobHeaders[`x-ms-meta-${key}`] = value;
    blobHeaders["x-ms-blob-content-type"] = extra.contentType ?? "application/octet-stream";

    const lease = exUseLease ? await AzureBlobLease.acquire(this, path, signal).catch(async (error: unknown) => {
      await stopSource(iterable);
      throw error;
    }) : undefined;
    let failed = false;
    try {
      return await this.#uploadBlocks(iterable, container, objectName, path, blobHeaders, extra, onProgress, signal, totalBytes, lease);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (lease !== undefined) {
        // A failed upload's error wins over a failed release (the lease then expires by itself).
        await lease.release().catch((error: unknown) => {
          if (!failed) throw error;
        });
      }
    }
  }

  async #uploadBlocks(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, path: string, blobHeaders: Record<string, string>,
    extra: UploadExtra, onProgress: UploadStreamOptions["onProgress"], signal: AbortSignal | undefined, totalBytes: number | undefined,
    lease: AzureBlobLease | undefined,
  ): Promise<StorageObject<AzureObjectExtra>> {
    const leaseHeaders = (): Record<string, string> => (lease === undefined ? {} : { "x-ms-lease-id": lease.id });
    const blockId = (number: number): string => Buffer.from(`block-${String(number - 1).padStart(10, "0")}`).toString("base64");
    const { result: response, totals } = await runUpload<AzureResponse>(iterable, {
      single: async (block, _totals, partSignal) => {
        await lease?.renewIfDue(partSignal);
        return this.connection.request(path, {
          method: "PUT",
          headers: { ...blobHeaders, ...leaseHeaders(), "x-ms-blob-type": "BlockBlob", "Content-Length": block.data.length, "Content-MD5": block.md5 },
          data: () => block.data,
          retryFailed: true,
          signal: partSignal,
        });
      },
      sendPart: async (block, partSignal) => {
        await lease?.renewIfDue(partSignal);
        await this.connection.request(path, {
          method: "PUT",
          params: { comp: "block", blockid: blockId(block.number) },
          headers: { ...leaseHeaders(), "Content-Length": block.data.length, "Content-MD5": block.md5 },
          data: () => block.data,
          retryFailed: true,
          signal: partSignal,
        });
      },
      // The commit: only now, with the source ended cleanly and every block stored.
      complete: async ({ md5, parts }, partSignal) => {
        const ids = Array.from({ length: parts }, (_, i) => blockId(i + 1));
        const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
        await lease?.renewIfDue(partSignal);
        return this.connection.request(path, {
          method: "PUT",
          params: { comp: "blocklist" },
          headers: {
            ...blobHeaders,
            ...leaseHeaders(),
            "x-ms-blob-content-md5": md5,
            "Content-Length": Buffer.byteLength(list),
            "Content-MD5": createHash("md5").update(list).digest("base64"),
            "Content-Type": "application/xml",
          },
          data: list,
          retryFailed: true,
          signal: partSignal,
        });
      },
      // No clean-up: uncommitted blocks are not part of any blob, and the service drops them after a week.
    }, {
      objectName,
      partSize: this.uploadChunkSize,
      concurrency: this.uploadConcurrency,
      totalBytes,
      onProgress,
      signal,
      hasher: this.uploadHasher,
      driver: this,
    });
    const etag = unquoteEtag(response.headers["etag"]);
    return new StorageObject({
      name: objectName,
      size: totals.bytes,
      hash: etag,
      extra: {
        etag,
        md5Hash: md5Hex(totals.md5),
        contentType: blobHeaders["x-ms-blob-content-type"] ?? null,
        lastModified: response.headers["last-modified"] ?? null,
        url: this.#objectUrl(container.name, objectName),
      },
      metaData: { ...(extra.metaData ?? {}) },
      container,
      driver: this,
    });
  }

  #rawGet(obj: StorageObject, signal: AbortSignal | undefined, range?: string): Promise<AzureRawResponse> {
    // identity: the blob's bytes exactly as stored, even when it was saved with Content-Encoding: gzip
    // (the transport would otherwise decode it, and the size would not match).
    const headers: Record<string, string> = { "Accept-Encoding": "identity" };
    if (range !== undefined) headers["x-ms-range"] = range;
    return this.connection.request(this.#objectPath(obj.container.name, obj.name), { raw: true, signal, headers });
  }

  /**
   * A whole-object GET and what its body is checked against (H12): the object's known size (and
   * the Content-Length, which must agree with it) and the blob's Content-MD5 when it has one.
   */
  async #openWhole(obj: StorageObject, signal: AbortSignal | undefined, chunkSize?: number): Promise<DownloadSource> {
    const response = await this.#rawGet(obj, signal);
    const length = response.headers["content-length"];
    const announced = length === undefined ? undefined : Number(length);
    const known = Number.isSafeInteger(obj.size) && obj.size >= 0 ? obj.size : undefined;
    if (announced !== undefined && known !== undefined && announced !== known) {
      response.response?.destroy();
      throw new DownloadIncompleteError(
        `Download of ${JSON.stringify(obj.name)}: the server sends ${announced} bytes, the object has ${known} (it changed since it was read: get it again)`,
        { objectName: obj.name, receivedBytes: announced, expectedBytes: known, driver: this },
      );
    }
    return { body: response.iterContent(chunkSize), expectedBytes: known ?? announced, contentMd5: response.headers["content-md5"] };
  }

  /**
   * A ranged GET (`x-ms-range`, as libcloud's) and its checks (M4, M12, see `rangeAnswer`): a
   * server that ignored the range, or answers another one, is a DownloadIncompleteError.
   */
  async #openRange(obj: StorageObject, startBytes: number, endBytes: number | undefined, signal: AbortSignal | undefined, chunkSize?: number): Promise<DownloadSource> {
    const header = this.rangeOf(startBytes, endBytes);
    const response = await this.#rawGet(obj, signal, header);
    const length = response.headers["content-length"];
    const announced = length === undefined ? undefined : Number(length);
    const answer = this.rangeAnswer(startBytes, endBytes, response.status, response.headers["content-range"], announced);
    if ("problem" in answer) {
      response.response?.destroy();
      throw new DownloadIncompleteError(`Range download of ${JSON.stringify(obj.name)} (${header}): ${answer.problem}`, {
        objectName: obj.name, receivedBytes: announced ?? 0, expectedBytes: endBytes === undefined ? -1 : endBytes - startBytes, driver: this,
      });
    }
    return { body: response.iterContent(chunkSize), expectedBytes: answer.expectedBytes };
  }

  override async downloadObject(obj: StorageObject, destinationPath: string, options: DownloadObjectOptions = {}): Promise<boolean> {
    checkStorageOptions(options, "download", "downloadObject");
    this.#objectPath(obj.container.name, obj.name);
    return this.saveObject(obj, () => this.#openWhole(obj, options.signal), destinationPath, options);
  }

  override async downloadObjectAsStream(obj: StorageObject, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    checkStorageOptions(options, "downloadStream", "downloadObjectAsStream");
    const { body, expectedBytes, contentMd5 } = await this.#openWhole(obj, options.signal, options.chunkSize);
    return this.verifyDownload(body, { objectName: obj.name, expectedBytes, contentMd5, onProgress: options.onProgress });
  }

  override async downloadObjectRange(
    obj: StorageObject, destinationPath: string, startBytes: number, endBytes?: number, options: DownloadObjectOptions = {},
  ): Promise<boolean> {
    checkStorageOptions(options, "download", "downloadObjectRange");
    this.#objectPath(obj.container.name, obj.name);
    this.rangeOf(startBytes, endBytes);
    return this.saveObject(obj, () => this.#openRange(obj, startBytes, endBytes, options.signal), destinationPath, options);
  }

  override async downloadObjectRangeAsStream(
    obj: StorageObject, startBytes: number, endBytes?: number, options: DownloadStreamOptions = {},
  ): Promise<AsyncIterableIterator<Buffer>> {
    checkStorageOptions(options, "downloadStream", "downloadObjectRangeAsStream");
    const { body, expectedBytes, contentMd5 } = await this.#openRange(obj, startBytes, endBytes, options.signal, options.chunkSize);
    return this.verifyDownload(body, { objectName: obj.name, expectedBytes, contentMd5, onProgress: options.onProgress });
  }

  /**
   * A service SAS URL that reads the blob (libcloud's `get_object_cdn_url`): signed with the
   * account key, valid from 5 minutes ago until `exExpiry` hours from now, `https` only when the
   * driver is secure. The URL is itself a credential until it expires: never log it. The signed
   * resource is the blob's name as stored (libcloud signs its percent-encoded path, which the
   * service refuses for names that need encoding; PORTING A25).
   */
  override async getObjectCdnUrl(obj: StorageObject, options: AzureCdnUrlOptions = {}): Promise<string> {
    checkOptionKeysOf(options, ["exExpiry"], "getObjectCdnUrl");
    const path = this.#objectPath(obj.container.name, obj.name);
    const { exExpiry = AZURE_STORAGE_CDN_URL_EXPIRY_HOURS } = options;
    if (typeof exExpiry !== "number" || !Number.isFinite(exExpiry) || exExpiry <= 0) {
      throw new TypeError(`getObjectCdnUrl: exExpiry must be a positive number of hours, got ${String(exExpiry)}`);
    }
    const now = Date.now();
    const params: Record<string, string> = {
      st: sasTime(now - AZURE_STORAGE_CDN_URL_START_MINUTES * 60_000),
      se: sasTime(now + exExpiry * 3_600_000),
      sp: "r",
      spr: this.connection.secure ? "https" : "http,https",
      sv: AZURE_API_VERSION,
      sr: "b",
    };
    const toSign = [
      params["sp"], params["st"], params["se"], `/blob/${this.connection.userId}/${obj.container.name}/${obj.name}`,
      "", "", params["spr"], params["sv"], params["sr"], "", "", "", "", "", "",
    ].join("\n");
    const keyBytes = this.connection.keyBytes;
    if (keyBytes === undefined) throw new LibcloudError("getObjectCdnUrl signs with the account key: not available with authType \"azureAd\"", { driver: this });
    params["sig"] = azureHmac(keyBytes, toSign);
    const query = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    return `${this.#origin()}${this.connection.requestPath}${path}?${query}`;
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
    checkStorageOptions(options, "signal", "copyObject");
    const response: AzureResponse = await this.copyConnection.asyncRequest(this.#objectPath(container.name, objectName), {
      method: "PUT",
      headers: { "x-ms-copy-source": this.#objectUrl(obj.container.name, obj.name) },
      signal: options.signal,
    });
    return this.#responseToObject(objectName, container, response.headers);
  }
}
