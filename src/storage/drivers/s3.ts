// Port of libcloud/storage/drivers/s3.py: BaseS3Connection/S3SignatureV4Connection, S3Response,
// BaseS3StorageDriver and S3StorageDriver, built on libcloud-ts's public API only (SigV4 from
// libcloud-ts's port of libcloud.common.aws).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  AWS_DRIVER_OPTION_NAMES, InvalidCredsError, LibcloudError, RawResponse, SignedAWSConnection, UNSIGNED_PAYLOAD, XmlResponse,
  childByLocalName, childrenByLocalName, localName, parseAwsError, parseXml, textByLocalName, throwIfSkewed, uriEncode,
  type AWSConnectionOptions, type AWSDriverOptions, type Element, type LibcloudRequest, type RequestOptions, type BufferedRequestOptions, type RawRequestOptions,
} from "../../index.js";
import { Container } from "../container.js";
import {
  ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError, InvalidContainerNameError,
  ObjectDoesNotExistError, ObjectHashMismatchError,
} from "../errors.js";
import {
  StorageDriver, type DownloadObjectOptions, type DownloadStreamOptions, type ListObjectsOptions, type UploadExtra, type UploadObjectOptions,
  type UploadStreamOptions,
} from "../storage-driver.js";
import { StorageObject } from "../storage-object.js";
import { checkContainerName, checkObjectName } from "../names.js";
import { S3BucketRegionError } from "./s3-bucket-region-error.js";
import { S3MultipartUpload } from "./s3-multipart-upload.js";

/** The S3 API version (`API_VERSION`). */
export const S3_API_VERSION = "2006-03-01";
/** AWS's S3 namespace (`NAMESPACE`); S3-compatible servers may write another, or none. */
export const S3_NAMESPACE = `http://s3.amazonaws.com/doc/${S3_API_VERSION}/`;
/** Amazon S3's global endpoint (`S3_US_STANDARD_HOST`). */
export const S3_US_STANDARD_HOST = "s3.amazonaws.com";
/** Part size of multipart uploads, bytes (libcloud's `CHUNK_SIZE`; S3's minimum part size). */
export const S3_CHUNK_SIZE = 5 * 1024 * 1024;
/** Items per listing page (`RESPONSES_PER_REQUEST`). */
export const S3_RESPONSES_PER_REQUEST = 100;
/** Default validity of getObjectCdnUrl, hours (`S3_CDN_URL_EXPIRY_HOURS`), unless `LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS` says otherwise. */
export const S3_CDN_URL_EXPIRY_HOURS = 24;

/**
 * The default validity of getObjectCdnUrl, hours: `LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS` when set and
 * not empty (libcloud reads it once, at import; here at each call, as `LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS`
 * is), else 24. A value that is not a positive number is a TypeError naming the variable.
 */
function defaultCdnExpiryHours(): number {
  const raw = process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"];
  if (raw === undefined || raw.trim() === "") return S3_CDN_URL_EXPIRY_HOURS;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new TypeError(`LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS must be a positive number of hours, got ${JSON.stringify(raw)}`);
  }
  return hours;
}
/** Most parts of one multipart upload. */
const MAX_PARTS = 10_000;

/** Region → endpoint, as libcloud's `REGION_TO_HOST_MAP`; any other AWS region is `s3.<region>.amazonaws.com`. */
export const REGION_TO_HOST_MAP: Readonly<Record<string, string>> = {
  "us-east-1": S3_US_STANDARD_HOST,
  "us-east-2": "s3-us-east-2.amazonaws.com",
  "us-west-1": "s3-us-west-1.amazonaws.com",
  "us-west-2": "s3-us-west-2.amazonaws.com",
  "us-gov-east-1": "s3-us-gov-east-1.amazonaws.com",
  "us-gov-west-1": "s3-us-gov-west-1.amazonaws.com",
  "cn-north-1": "s3.cn-north-1.amazonaws.com.cn",
  "cn-northwest-1": "s3.cn-northwest-1.amazonaws.com.cn",
  "eu-west-1": "s3-eu-west-1.amazonaws.com",
  "eu-west-2": "s3-eu-west-2.amazonaws.com",
  "eu-west-3": "s3.eu-west-3.amazonaws.com",
  "eu-central-1": "s3-eu-central-1.amazonaws.com",
  "eu-north-1": "s3.eu-north-1.amazonaws.com",
  "ap-south-1": "s3-ap-south-1.amazonaws.com",
  "ap-southeast-1": "s3-ap-southeast-1.amazonaws.com",
  "ap-southeast-2": "s3-ap-southeast-2.amazonaws.com",
  "ap-northeast-1": "s3-ap-northeast-1.amazonaws.com",
  "ap-northeast-2": "s3-ap-northeast-2.amazonaws.com",
  "ap-northeast-3": "s3.ap-northeast-3.amazonaws.com",
  "sa-east-1": "s3-sa-east-1.amazonaws.com",
  "ca-central-1": "s3-ca-central-1.amazonaws.com",
  "me-south-1": "s3.me-south-1.amazonaws.com",
};

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The endpoint of an AWS region; throws for a name that is not one. */
export function s3HostForRegion(region: string): string {
  const known = REGION_TO_HOST_MAP[region];
  if (known !== undefined) return known;
  if (!AWS_REGION.test(region)) throw new LibcloudError(`Invalid or unsupported region: ${JSON.stringify(region)}`);
  return `s3.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/** Whether a host is an IP literal (v4 or v6): such hosts are always addressed path-style. */
export function isIpHost(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/**
 * Whether a bucket is addressed virtual-hosted (`<bucket>.<host>/<key>`) rather than path-style
 * (`<host>/<bucket>/<key>`): only on AWS's own endpoints, and only for names that are one DNS label
 * (no dots: they break the `*.s3.amazonaws.com` certificate). IP hosts and custom endpoints
 * (MinIO, Ceph, s3rver …) are always path-style.
 */
export function usesVirtualHost(host: string, bucket: string): boolean {
  if (isIpHost(host) || !/(^|\.)amazonaws\.com(\.cn)?$/.test(host)) return false;
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes("--");
}

// ---- names -------------------------------------------------------------------------------

/** Vets the names a storage method is given, in the one place every driver uses (RELIABILITY H2). */
function vetNames(containerName: string, objectName?: string): void {
  checkContainerName(containerName);
  if (objectName !== undefined) checkObjectName(objectName);
}

// ---- responses and errors ----------------------------------------------------------------

/** What a request was about, for its errors (set as the request's context by the driver). */
export interface S3Context {
  /** The bucket the request is about. */
  containerName?: string | undefined;
  /** The object the request is about. */
  objectName?: string | undefined;
  /** The request created a bucket (a 400 then means a bad name). */
  createBucket?: boolean | undefined;
}

/**
 * Maps an S3 error to libcloud's errors: InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied,
 * 401/403 → InvalidCredsError; NoSuchBucket → ContainerDoesNotExistError; NoSuchKey (or a bodiless
 * 404 on an object) → ObjectDoesNotExistError; BucketAlreadyExists/OwnedByYou →
 * ContainerAlreadyExistsError; BucketNotEmpty → ContainerIsNotEmptyError; InvalidBucketName →
 * InvalidContainerNameError; BadDigest/InvalidDigest → ObjectHashMismatchError; a 301 / PermanentRedirect,
 * or an AuthorizationHeaderMalformed naming the bucket's Region → S3BucketRegionError; RequestTimeTooSkewed
 * → RequestTimeTooSkewedError (SignedAWSConnection then corrects its clock). Throws those; returns
 * the message for anything else (the connection turns it into the status's own error).
 */
export function s3Error(
  response: { status: number; headers: Record<string, string>; request: LibcloudRequest | undefined; connection: { driver?: unknown; region?: unknown } | null | undefined },
  body: string,
): string {
  const { code, message, serverTime } = parseAwsError(body);
  const driver = response.connection?.driver;
  throwIfSkewed(code, message, serverTime, response.headers["date"], driver);
  const context = (response.request?.context ?? {}) as S3Context;
  const containerName = context.containerName ?? "";
  const objectName = context.objectName;
  const status = response.status;
  // libcloud's 301 "This bucket is located in a different region": S3 sends it without a Location
  // (so it is not followed), with the bucket's region in a header (a HEAD's only clue) or the body.
  const regionOfBody = (): string | null => {
    try {
      return textByLocalName(parseXml(body), "Region");
    } catch {
      return null;
    }
  };
  if (status === 301 || code === "PermanentRedirect" || (code === "AuthorizationHeaderMalformed" && regionOfBody() !== null)) {
    const used = response.connection?.region;
    throw new S3BucketRegionError(null, {
      containerName, driver, bucketRegion: response.headers["x-amz-bucket-region"] || regionOfBody(), usedRegion: typeof used === "string" ? used : null,
    });
  }
  const text = [code, message].filter((s) => s !== undefined && s !== "").join(": ") || `HTTP ${status}`;
  const why = (what: string): string => (message === undefined || message === "" ? `${what} (${code ?? `HTTP ${status}`})` : text);
  switch (code) {
    case "NoSuchBucket":
      throw new ContainerDoesNotExistError(why(`Container ${JSON.stringify(containerName)} does not exist`), { containerName, driver });
    case "NoSuchKey":
      throw new ObjectDoesNotExistError(why(`Object ${JSON.stringify(objectName)} does not exist in container ${JSON.stringify(containerName)}`), {
        objectName: objectName ?? "", driver,
      });
    case "BucketAlreadyExists":
    case "BucketAlreadyOwnedByYou":
      throw new ContainerAlreadyExistsError(text, { containerName, driver });
    case "BucketNotEmpty":
      throw new ContainerIsNotEmptyError(text, { containerName, driver });
    case "InvalidBucketName":
      throw new InvalidContainerNameError(text, { containerName, driver });
    case "BadDigest":
    case "InvalidDigest":
    case "XAmzContentSHA256Mismatch":
      throw new ObjectHashMismatchError(text, { objectName: objectName ?? "", driver });
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "AccessDenied":
    case "InvalidToken":
    case "ExpiredToken":
      throw new InvalidCredsError(text, { driver });
    default:
  }
  if (status === 401 || status === 403) throw new InvalidCredsError(text, { driver });
  if (status === 404 && code === undefined) {
    if (objectName !== undefined) {
      throw new ObjectDoesNotExistError(why(`Object ${JSON.stringify(objectName)} does not exist in container ${JSON.stringify(containerName)}`), {
        objectName, driver,
      });
    }
    if (context.containerName !== undefined) {
      throw new ContainerDoesNotExistError(why(`Container ${JSON.stringify(containerName)} does not exist`), { containerName, driver });
    }
  }
  if (status === 400 && context.createBucket === true) throw new InvalidContainerNameError(text, { containerName, driver });
  return text;
}

/** S3's buffered response (`S3Response`): XML matched by local name, errors mapped by code. */
export class S3Response extends XmlResponse {
  override success(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  override parseError(): unknown {
    return s3Error(this, this.body);
  }
}

/** S3's streamed response (`S3RawResponse`): uploads and downloads, errors mapped like S3Response's. */
export class S3RawResponse extends RawResponse {
  override success(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  override parseError(): unknown {
    return s3Error(this, this.errorBody);
  }
}

// ---- connection ----------------------------------------------------------------------------

/**
 * The S3 connection (`S3SignatureV4Connection`): SigV4 for service `s3`, the path signed as sent
 * (never normalised: keys may hold `//`, `.` and `..`), `x-amz-content-sha256` on every request.
 */
export class S3SignatureV4Connection extends SignedAWSConnection {
  static override host = S3_US_STANDARD_HOST;
  static override responseCls = S3Response;
  static override rawResponseCls = S3RawResponse;
  declare responseCls: typeof S3Response;
  declare rawResponseCls: typeof S3RawResponse;
  static override serviceName = "s3";
  static override doubleEncodePath = false;
  static override sendContentSha256 = true;
}

/** `BaseS3Connection` (libcloud's V2-signed base): here the same SigV4 connection. */
export const BaseS3Connection = S3SignatureV4Connection;

// ---- parts ---------------------------------------------------------------------------------

/** One part read from the source: its bytes (a reused buffer) and their hashes, computed while reading. */
interface Part {
  data: Buffer;
  md5: string;
  sha256: string;
}

/**
 * Reads an iterable into parts of exactly `size` bytes (the last may be shorter), hashing each
 * part (MD5 for Content-MD5, SHA-256 for the payload hash) and the whole object (MD5) as the
 * bytes arrive. The parts live in `bufferCount` buffers used in turn: a yielded part stays intact
 * until `bufferCount - 1` more have been requested.
 */
async function* readParts(
  iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number, whole: ReturnType<typeof createHash>, bufferCount: number,
): AsyncGenerator<Part> {
  const buffers: Buffer[] = [];
  let turn = 0;
  const nextBuffer = (): Buffer => (buffers[turn++ % bufferCount] ??= Buffer.allocUnsafe(size));
  let block = nextBuffer();
  let filled = 0;
  let md5 = createHash("md5");
  let sha = createHash("sha256");
  for await (const piece of iterable as AsyncIterable<Uint8Array>) {
    if (!(piece instanceof Uint8Array)) throw new TypeError(`uploadObjectViaStream: the iterable must yield Buffers or Uint8Arrays, got ${typeof piece}`);
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(size - filled, piece.length - offset);
      const bytes = piece.subarray(offset, offset + n);
      block.set(bytes, filled);
      md5.update(bytes);
      sha.update(bytes);
      whole.update(bytes);
      filled += n;
      offset += n;
      if (filled === size) {
        yield { data: block, md5: md5.digest("base64"), sha256: sha.digest("hex") };
        block = nextBuffer();
        filled = 0;
        md5 = createHash("md5");
        sha = createHash("sha256");
      }
    }
  }
  if (filled > 0) yield { data: block.subarray(0, filled), md5: md5.digest("base64"), sha256: sha.digest("hex") };
}

function unquoteEtag(etag: string | null | undefined): string | null {
  if (etag === undefined || etag === null) return null;
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1").replace(/^&quot;(.*)&quot;$/, "$1");
}

function metaFromHeaders(headers: Record<string, string>, prefix: string): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (key.startsWith(prefix)) meta[key.slice(prefix.length)] = value;
  return meta;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Headers S3 stores with an object besides its metadata. */
const STORED_HEADERS = new Set(["cache-control", "content-disposition", "content-encoding", "content-language", "expires"]);

// ---- the driver ------------------------------------------------------------------------------

/**
 * AWS's storage classes (`x-amz-storage-class`). libcloud takes `standard` and
 * `reduced_redundancy` only; any case of these is taken, and S3-compatible servers' own classes
 * (Ceph RGW placement targets) are taken when they are one token.
 */
export const S3_STORAGE_CLASSES = [
  "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE",
  "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE",
] as const;

/** A storage class: one of AWS's, or (S3-compatible servers) another one-token name. */
export type S3StorageClass = (typeof S3_STORAGE_CLASSES)[number] | Lowercase<(typeof S3_STORAGE_CLASSES)[number]> | (string & {});

/** S3's canned ACLs (`x-amz-acl`), the values libcloud's `extra['acl']` is sent as. */
export const S3_CANNED_ACLS = [
  "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control",
] as const;

/** A canned ACL. */
export type S3CannedAcl = (typeof S3_CANNED_ACLS)[number];

/** The `x-amz-storage-class` value of a storage class (upper case); a TypeError, before anything is sent, for one that is not a token. */
export function s3StorageClass(storageClass: string): string {
  if (typeof storageClass !== "string" || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(storageClass)) {
    throw new TypeError(`Invalid storage class value: ${JSON.stringify(storageClass)} (one of ${S3_STORAGE_CLASSES.join(", ")}, or a server's own one-token class)`);
  }
  return storageClass.toUpperCase();
}

/** A canned ACL checked; a TypeError, before anything is sent, for any other value. */
export function s3CannedAcl(acl: string): S3CannedAcl {
  if (!(S3_CANNED_ACLS as readonly string[]).includes(acl)) {
    throw new TypeError(`Invalid canned ACL: ${JSON.stringify(acl)} (one of ${S3_CANNED_ACLS.join(", ")})`);
  }
  return acl as S3CannedAcl;
}

/** Attributes of an S3 upload: those of every driver, and libcloud's `acl`. */
export interface S3UploadExtra extends UploadExtra {
  /** Canned ACL of the new object (`x-amz-acl`, libcloud's `extra['acl']`). */
  acl?: S3CannedAcl | undefined;
}

/** Options of the S3 driver's `uploadObjectViaStream`. */
export interface S3UploadStreamOptions extends UploadStreamOptions {
  /** Content type, metadata and canned ACL of the new object. */
  extra?: S3UploadExtra | undefined;
  /** Storage class of the new object (`ex_storage_class`, `x-amz-storage-class`); unset: the bucket's default (STANDARD). */
  exStorageClass?: S3StorageClass | undefined;
}

/** Options of the S3 driver's `uploadObject`. */
export interface S3UploadObjectOptions extends UploadObjectOptions, S3UploadStreamOptions {
  /** Content type, metadata and canned ACL of the new object. */
  extra?: S3UploadExtra | undefined;
}

/** `extra` of an S3 bucket. A listing gives both fields; `getContainer` and `createContainer` give `region` only. */
export type S3ContainerExtra = {
  /** `CreationDate` of ListBuckets (ISO 8601, as S3 sends it). */
  creationDate?: string | null;
  /**
   * The bucket's region: `BucketRegion` of ListBuckets, `x-amz-bucket-region` of a HEAD, the
   * LocationConstraint sent by `createContainer`; null when the server did not say.
   */
  region: string | null;
};

/**
 * `extra` of an S3 object. Every result has `url` and `etag`; a listing adds lastModified and
 * storageClass, a HEAD (`getObject`, `copyObject`) every stored header, an upload md5Hash and
 * contentType.
 */
export type S3ObjectExtra = {
  /** The object's URL (virtual-hosted or path-style, as the driver addresses it). */
  url: string;
  /** The ETag without quotes (a multipart upload's ends in `-<parts>` on AWS). */
  etag: string | null;
  /** MD5 of the bytes sent, hex (uploads only). */
  md5Hash?: string | null;
  /** `Content-Type` stored with the object. */
  contentType?: string | null;
  /** `Content-Encoding` stored with the object. */
  contentEncoding?: string | null;
  /** `Content-Language` stored with the object. */
  contentLanguage?: string | null;
  /** `Content-Disposition` stored with the object. */
  contentDisposition?: string | null;
  /** `Cache-Control` stored with the object. */
  cacheControl?: string | null;
  /** `Last-Modified` (HEAD) or `LastModified` (listing), as S3 sends it. */
  lastModified?: string | null;
  /** `STANDARD`, `REDUCED_REDUNDANCY`, `GLACIER` … (S3 leaves it out of a HEAD for STANDARD). */
  storageClass?: string | null;
  /** `x-amz-version-id` of a versioned bucket. */
  versionId?: string | null;
  /** The canned ACL the upload gave the object (libcloud's `extra['acl']`; uploads only). */
  acl?: string | null;
  /** The object's owner (listings only; libcloud's `meta_data['owner']`); null when the server lists none. */
  owner?: S3Owner | null;
};

/** An object's owner as a listing gives it (`Owner`). */
export type S3Owner = {
  /** The owner's canonical id (`ID`). */
  id: string | null;
  /** The owner's display name (`DisplayName`; AWS has stopped sending it in most regions). */
  displayName: string | null;
};

/** Options of `new S3StorageDriver(key, secret, options)`. */
export interface S3StorageDriverOptions extends AWSDriverOptions {
  /** `https://host:port` of an S3-compatible endpoint (sets host, port and secure). */
  url?: string | undefined;
}

/** Options of getObjectCdnUrl. */
export interface S3CdnUrlOptions {
  /** Validity in hours (`ex_expiry`). @defaultValue `LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS`, else 24 */
  exExpiry?: number | undefined;
  /** The method the URL allows (`ex_method`). @defaultValue "GET" */
  exMethod?: "GET" | "PUT" | "DELETE" | "HEAD" | undefined;
}

/** Options of the S3 driver's `createContainer`. */
export interface S3CreateContainerOptions {
  /** The bucket's region (LocationConstraint), libcloud's `ex_location`. @defaultValue the driver's `exLocationName` */
  exLocation?: string | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Options of exIterateMultipartUploads. */
export interface S3MultipartUploadsOptions {
  /** Only uploads of keys that start with this (`prefix`). */
  prefix?: string | undefined;
  /** Keys are grouped by this delimiter (`delimiter`): uploads under a deeper "folder" are left out. */
  delimiter?: string | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Options of the range downloads. */
export type RangeDownloadOptions = DownloadObjectOptions;

/** The S3 driver's option names. */
export const S3_DRIVER_OPTION_NAMES: ReadonlySet<string> = new Set([...AWS_DRIVER_OPTION_NAMES, "url"]);

/**
 * The S3 storage driver every S3-compatible provider derives from (`BaseS3StorageDriver`). `key` is
 * the access key id, `secret` the secret access key. Buckets are addressed virtual-hosted on AWS's
 * endpoints, path-style elsewhere (see {@link usesVirtualHost}). XML is read by local name, so
 * servers that write another namespace (s3rver, Ceph …) or none are read alike.
 */
export class BaseS3StorageDriver extends StorageDriver<S3SignatureV4Connection, S3ContainerExtra, S3ObjectExtra> {
  static override connectionCls = S3SignatureV4Connection;
  static override optionNames: ReadonlySet<string> = S3_DRIVER_OPTION_NAMES;

  override name = "Amazon S3 (standard)";
  override website = "http://aws.amazon.com/s3/";
  declare connection: S3SignatureV4Connection;
  /** The region sent as a bucket's LocationConstraint (`ex_location_name`); empty for none. */
  exLocationName = "";
  /** Prefix of user-metadata headers (`http_vendor_prefix` + `-meta-`). */
  httpVendorPrefix = "x-amz";
  /** Items per listing page. @defaultValue 100 */
  responsesPerRequest = S3_RESPONSES_PER_REQUEST;
  /** Part size of multipart uploads; up to it, one PUT. @defaultValue 5 MiB */
  uploadPartSize = S3_CHUNK_SIZE;
  /** Parts sent at once (memory: this + 2 parts). @defaultValue 4 */
  uploadConcurrency = 4;
  /** Address every bucket path-style, even on AWS's endpoints. @defaultValue false */
  forcePathStyle = false;
  /** Connections of virtual-hosted buckets, by bucket. */
  #bucketConnections = new Map<string, S3SignatureV4Connection>();
  /** Session token of temporary credentials (the `token` option), passed on to the driver's connections (non-enumerable). */
  declare readonly token: string | undefined;
  #connectionOptions: Record<string, unknown>;

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    if (typeof secret !== "string" || secret === "") throw new TypeError(`${new.target.name}(key, secret): the secret access key is required`);
    let opts: S3StorageDriverOptions = options;
    if (options.url !== undefined) {
      const { url, ...rest } = options;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (cause) {
        throw new LibcloudError("Invalid url option", { cause });
      }
      const secure = parsed.protocol === "https:";
      opts = { ...rest, host: parsed.hostname.replace(/^\[|\]$/g, ""), secure, port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port) };
    }
    super(key, secret, opts);
    Object.defineProperty(this, "token", { value: opts.token, enumerable: false });
    const { apiVersion: _a, region: _r, url: _u, ...connectionOptions } = opts;
    const copy: Record<string, unknown> = { ...connectionOptions, secure: this.secure, ...this.exConnectionClassKwargs() };
    for (const k of Object.keys(copy)) if (copy[k] === undefined) delete copy[k];
    // Non-enumerable: may hold a proxy URL with a password and the session token.
    this.#connectionOptions = copy;
  }

  override exConnectionClassKwargs(): Record<string, unknown> {
    return { region: this.region || this.defaultRegion() };
  }

  /** The signing region when none is given. */
  protected defaultRegion(): string {
    return "us-east-1";
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all([this.connection.close(), ...[...this.#bucketConnections.values()].map((c) => c.close())]);
  }

  /**
   * The connection a bucket's requests go through: the driver's, or (virtual-hosted) the bucket's
   * own. A bucket's connection uses the transport class of the driver's (`connection.connCls`,
   * where libcloud's tests set `conn_class` and ours set MockHttp), even when that was set later.
   */
  protected connectionFor(containerName: string | undefined): S3SignatureV4Connection {
    if (containerName === undefined || this.forcePathStyle || !usesVirtualHost(this.connection.host, containerName)) return this.connection;
    let conn = this.#bucketConnections.get(containerName);
    if (conn === undefined) {
      const Cls = (this.constructor as typeof BaseS3StorageDriver).connectionCls as unknown as new (k: string, s: string, o: AWSConnectionOptions) => S3SignatureV4Connection;
      conn = new Cls(this.key, this.secret ?? "", { ...this.#connectionOptions, host: `${containerName}.${this.connection.host}`, port: this.connection.port });
      conn.driver = this;
      conn.clockOffset = this.connection.clockOffset;
      this.#bucketConnections.set(containerName, conn);
    }
    if (conn.connection === null || conn.connCls !== this.connection.connCls) {
      conn.connCls = this.connection.connCls;
      conn.connect();
    }
    return conn;
  }

  /** The request path of a bucket (`_get_container_path`): `/<bucket>` path-style, `/` virtual-hosted. */
  protected containerPath(containerName: string): string {
    return this.connectionFor(containerName) === this.connection ? `/${uriEncode(containerName)}` : "/";
  }

  /** The request path of an object (`_get_object_path`): the key UriEncoded, `/` kept. */
  protected objectPath(containerName: string, objectName: string): string {
    const key = objectName.split("/").map(uriEncode).join("/");
    const base = this.containerPath(containerName);
    return base === "/" ? `/${key}` : `${base}/${key}`;
  }

  /** Sends one request about a bucket and/or object (their names become the error's context). */
  protected request(context: S3Context, action: string, options?: BufferedRequestOptions): Promise<S3Response>;
  protected request(context: S3Context, action: string, options: RawRequestOptions): Promise<S3RawResponse>;
  protected request(context: S3Context, action: string, options: RequestOptions = {}): Promise<S3Response | S3RawResponse> {
    const conn = this.connectionFor(context.containerName);
    conn.setContext({ ...context });
    return conn.request(action, options);
  }

  #origin(containerName: string | undefined): string {
    const c = this.connectionFor(containerName);
    const host = c.host.includes(":") ? `[${c.host}]` : c.host;
    return `${c.secure ? "https" : "http"}://${host}${c.port === (c.secure ? 443 : 80) ? "" : `:${c.port}`}`;
  }

  #objectUrl(containerName: string, objectName: string): string {
    return `${this.#origin(containerName)}${this.objectPath(containerName, objectName)}`;
  }

  // ---- containers --------------------------------------------------------------------------

  #toContainer(node: Element): Container<S3ContainerExtra> {
    const name = textByLocalName(node, "Name") ?? "";
    return new Container(name, { creationDate: textByLocalName(node, "CreationDate"), region: textByLocalName(node, "BucketRegion") }, this);
  }

  /** ListBuckets, following ContinuationToken when the server pages (AWS since 2024). */
  override async *iterateContainers(options: { signal?: AbortSignal | undefined } = {}): AsyncIterableIterator<Container<S3ContainerExtra>> {
    let token: string | undefined;
    do {
      const response: S3Response = await this.request({}, "/", { params: token === undefined ? {} : { "continuation-token": token }, signal: options.signal });
      const root = response.object;
      for (const bucket of childrenByLocalName(childByLocalName(root, "Buckets"), "Bucket")) yield this.#toContainer(bucket);
      token = textByLocalName(root, "ContinuationToken") || undefined;
    } while (token !== undefined);
  }

  /** ListObjectsV2, `responsesPerRequest` keys a page, following NextContinuationToken. */
  override async *iterateContainerObjects(container: Container, options: ListObjectsOptions = {}): AsyncIterableIterator<StorageObject<S3ObjectExtra>> {
    vetNames(container.name);
    let token: string | undefined;
    do {
      // fetch-owner: libcloud's ListObjects (v1) lists each object's Owner; v2 only when asked.
      const params: Record<string, string | number> = { "list-type": 2, "max-keys": this.responsesPerRequest, "fetch-owner": "true" };
      if (options.prefix !== undefined && options.prefix !== "") params["prefix"] = options.prefix;
      if (token !== undefined) params["continuation-token"] = token;
      const response: S3Response = await this.request({ containerName: container.name }, this.containerPath(container.name), { params, signal: options.signal });
      const root = response.object;
      for (const node of childrenByLocalName(root, "Contents")) yield this.#xmlToObject(container, node);
      const truncated = (textByLocalName(root, "IsTruncated") ?? "false").trim().toLowerCase() === "true";
      token = truncated ? textByLocalName(root, "NextContinuationToken") || undefined : undefined;
      if (truncated && token === undefined) throw new LibcloudError("A truncated listing gave no NextContinuationToken", { driver: this });
    } while (token !== undefined);
  }

  /** HEAD on the bucket. */
  override async getContainer(containerName: string): Promise<Container<S3ContainerExtra>> {
    vetNames(containerName);
    const response: S3Response = await this.request({ containerName }, this.containerPath(containerName), { method: "HEAD" });
    return new Container(containerName, { region: response.headers["x-amz-bucket-region"] ?? null }, this);
  }

  /**
   * CreateBucket, with `exLocation` (else the driver's `exLocationName`) as LocationConstraint
   * outside us-east-1 (libcloud's OSS driver's `create_container(name, ex_location)`; the S3 driver
   * takes only the driver's). A bucket made in another region than the driver's is reached through
   * a driver for that region (S3BucketRegionError says so).
   */
  override async createContainer(containerName: string, options: S3CreateContainerOptions = {}): Promise<Container<S3ContainerExtra>> {
    vetNames(containerName);
    const location = options.exLocation ?? this.exLocationName;
    if (typeof location !== "string" || (location !== "" && !/^[A-Za-z0-9][A-Za-z0-9:_-]{0,62}$/.test(location))) {
      throw new TypeError(`createContainer: exLocation must be a region name, got ${JSON.stringify(location)}`);
    }
    const data = location === "" || location === "us-east-1" ? undefined
      : `<CreateBucketConfiguration xmlns="${S3_NAMESPACE}"><LocationConstraint>${xmlEscape(location)}</LocationConstraint></CreateBucketConfiguration>`;
    await this.request({ containerName, createBucket: true }, this.containerPath(containerName), {
      method: "PUT", data, headers: data === undefined ? {} : { "Content-Type": "application/xml" }, signal: options.signal,
    });
    return new Container(containerName, { region: location || null }, this);
  }

  /** DeleteBucket: BucketNotEmpty → ContainerIsNotEmptyError. */
  override async deleteContainer(container: Container): Promise<boolean> {
    vetNames(container.name);
    await this.request({ containerName: container.name }, this.containerPath(container.name), { method: "DELETE" });
    return true;
  }

  // ---- objects ------------------------------------------------------------------------------

  #xmlToObject(container: Container, node: Element): StorageObject<S3ObjectExtra> {
    const etag = unquoteEtag(textByLocalName(node, "ETag"));
    const name = textByLocalName(node, "Key") ?? "";
    const owner = childByLocalName(node, "Owner");
    return new StorageObject({
      name,
      size: Number(textByLocalName(node, "Size") ?? 0),
      hash: etag,
      extra: {
        etag,
        lastModified: textByLocalName(node, "LastModified"),
        storageClass: textByLocalName(node, "StorageClass"),
        owner: owner === null ? null : { id: textByLocalName(owner, "ID"), displayName: textByLocalName(owner, "DisplayName") },
        url: this.#objectUrl(container.name, name),
      },
      metaData: {},
      container,
      driver: this,
    });
  }

  #headersToObject(objectName: string, container: Container, headers: Record<string, string>, size?: number): StorageObject<S3ObjectExtra> {
    const etag = unquoteEtag(headers["etag"]);
    const range = /\/(\d+)$/.exec(headers["content-range"] ?? "");
    return new StorageObject({
      name: objectName,
      size: size ?? Number(range?.[1] ?? headers["content-length"] ?? 0),
      hash: etag,
      extra: {
        etag,
        contentType: headers["content-type"] ?? null,
        contentEncoding: headers["content-encoding"] ?? null,
        contentLanguage: headers["content-language"] ?? null,
        contentDisposition: headers["content-disposition"] ?? null,
        cacheControl: headers["cache-control"] ?? null,
        lastModified: headers["last-modified"] ?? null,
        storageClass: headers["x-amz-storage-class"] ?? null,
        versionId: headers["x-amz-version-id"] ?? null,
        url: this.#objectUrl(container.name, objectName),
      },
      metaData: metaFromHeaders(headers, `${this.httpVendorPrefix}-meta-`),
      container,
      driver: this,
    });
  }

  /**
   * HEAD on the object. A HEAD answer has no body, so a 404 cannot say whose: the bucket is asked
   * then, to tell ContainerDoesNotExistError from ObjectDoesNotExistError.
   */
  override async getObject(containerName: string, objectName: string): Promise<StorageObject<S3ObjectExtra>> {
    vetNames(containerName, objectName);
    try {
      const response: S3Response = await this.request({ containerName, objectName }, this.objectPath(containerName, objectName), { method: "HEAD" });
      return this.#headersToObject(objectName, new Container(containerName, {}, this), response.headers);
    } catch (error) {
      if (error instanceof ObjectDoesNotExistError) await this.getContainer(containerName);
      throw error;
    }
  }

  /**
   * Uploads a file (see uploadObjectViaStream). `exStorageClass` and `extra.acl` (libcloud's
   * `ex_storage_class` and `extra['acl']`) are sent as `x-amz-storage-class` and `x-amz-acl` with
   * the PUT or CreateMultipartUpload, signed.
   */
  override async uploadObject(filePath: string, container: Container, objectName: string, options: S3UploadObjectOptions = {}): Promise<StorageObject<S3ObjectExtra>> {
    vetNames(container.name, objectName);
    this.#objectHeaders(options); // bad storage class or ACL: refused before the file is opened
    const { verifyHash = true, ...rest } = options;
    const size = (await stat(filePath)).size;
    return BaseS3StorageDriver.#withUploadExtra(
      await this.#upload(createReadStream(filePath, { highWaterMark: 1024 * 1024 }), container, objectName, rest, size, verifyHash, filePath), options,
    );
  }

  /** The ACL and storage class an upload gave its object, in its extra (libcloud's `extra={'acl': acl}`). */
  static #withUploadExtra(obj: StorageObject<S3ObjectExtra>, options: S3UploadStreamOptions): StorageObject<S3ObjectExtra> {
    if (options.extra?.acl !== undefined) obj.extra.acl = options.extra.acl;
    if (options.exStorageClass !== undefined) obj.extra.storageClass = s3StorageClass(options.exStorageClass);
    return obj;
  }

  /**
   * Uploads in constant memory: up to `uploadPartSize` bytes in one PUT, else a multipart upload
   * with `uploadConcurrency` parts in flight. Each part's Content-MD5 and SHA-256 payload hash are
   * computed once, while it is read; a part that fails (5xx, a dropped connection) is retried from
   * its buffer; any failure aborts the multipart upload, so no parts are left behind and nothing is
   * committed. An iterable of unknown length is read a part at a time.
   */
  override async uploadObjectViaStream(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, options: S3UploadStreamOptions = {},
  ): Promise<StorageObject<S3ObjectExtra>> {
    vetNames(container.name, objectName);
    this.#objectHeaders(options); // bad storage class or ACL: refused before the source is read
    return BaseS3StorageDriver.#withUploadExtra(await this.#upload(iterable, container, objectName, options, undefined, false, undefined), options);
  }

  /** The headers stored with a new object: the caller's, metadata, Content-Type, storage class and canned ACL. */
  #objectHeaders(uploadOptions: UploadStreamOptions): Record<string, string> {
    const options: S3UploadStreamOptions = uploadOptions; // the S3 methods pass S3UploadStreamOptions
    const { extra = {}, headers: userHeaders = {} } = options;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(userHeaders)) headers[STORED_HEADERS.has(key.toLowerCase()) ? key.toLowerCase() : key] = value;
    for (const [key, value] of Object.entries(extra.metaData ?? {})) headers[`${this.httpVendorPrefix}-meta-${key}`] = value;
    headers["Content-Type"] = extra.contentType ?? "application/octet-stream";
    if (options.exStorageClass !== undefined) headers[`${this.httpVendorPrefix}-storage-class`] = s3StorageClass(options.exStorageClass);
    if (extra.acl !== undefined) headers[`${this.httpVendorPrefix}-acl`] = s3CannedAcl(extra.acl);
    return headers;
  }

  async #upload(
    iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, container: Container, objectName: string, options: UploadStreamOptions,
    expectedSize: number | undefined, verifyHash: boolean, filePath: string | undefined,
  ): Promise<StorageObject<S3ObjectExtra>> {
    const { onProgress, signal } = options;
    const objectHeaders = this.#objectHeaders(options);
    const context = { containerName: container.name, objectName };
    const path = this.objectPath(container.name, objectName);
    const whole = createHash("md5");
    const concurrency = Math.max(1, Math.floor(this.uploadConcurrency));
    const partSize = Math.max(1, Math.floor(this.uploadPartSize));
    const parts = readParts(iterable, partSize, whole, concurrency + 2);
    const changed = (sent: number): LibcloudError =>
      new LibcloudError(`${JSON.stringify(filePath)} changed during the upload: ${sent} bytes read, ${expectedSize} expected`, { driver: this });
    let next = await parts.next();
    const first: Part = next.done === true ? { data: Buffer.alloc(0), md5: createHash("md5").digest("base64"), sha256: createHash("sha256").digest("hex") } : next.value;
    next = next.done === true ? next : await parts.next();
    if (next.done === true) {
      // One PUT: the whole body is in hand, so its size is checked before anything is sent.
      if (expectedSize !== undefined && first.data.length !== expectedSize) throw changed(first.data.length);
      const response: S3Response = await this.request(context, path, {
        method: "PUT",
        headers: { ...objectHeaders, "Content-Length": first.data.length, "Content-MD5": first.md5, "x-amz-content-sha256": first.sha256 },
        data: () => first.data,
        retryFailed: true,
        signal,
      });
      onProgress?.({ loadedBytes: first.data.length, totalBytes: expectedSize ?? first.data.length });
      const etag = unquoteEtag(response.headers["etag"]);
      const md5Hex = Buffer.from(first.md5, "base64").toString("hex");
      if (verifyHash && etag !== null && /^[0-9a-f]{32}$/i.test(etag) && etag.toLowerCase() !== md5Hex) {
        throw new ObjectHashMismatchError(`MD5 hash ${md5Hex} checksum does not match ${etag}`, { objectName, driver: this });
      }
      return this.#uploaded(container, objectName, objectHeaders, first.data.length, etag, md5Hex, options);
    }

    const initiated: S3Response = await this.request(context, path, { method: "POST", params: [["uploads", ""]], headers: objectHeaders, signal });
    const uploadId = textByLocalName(initiated.object, "UploadId");
    if (uploadId === null || uploadId === "") throw new LibcloudError("CreateMultipartUpload answered without an UploadId", { driver: this });
    const etags: string[] = [];
    let sent = 0;
    const putPart = async (part: Part, number: number): Promise<void> => {
      if (number > MAX_PARTS) throw new LibcloudError(`An upload has at most ${MAX_PARTS} parts: raise uploadPartSize`, { driver: this });
      const response: S3Response = await this.request(context, path, {
        method: "PUT",
        params: [["partNumber", number], ["uploadId", uploadId]],
        headers: { "Content-Length": part.data.length, "Content-MD5": part.md5, "x-amz-content-sha256": part.sha256 },
        data: () => part.data,
        retryFailed: true,
        signal,
      });
      const etag = response.headers["etag"];
      if (etag === undefined) throw new LibcloudError(`UploadPart ${number} answered without an ETag`, { driver: this });
      etags[number - 1] = etag;
      sent += part.data.length;
      onProgress?.({ loadedBytes: sent, totalBytes: expectedSize });
    };
    const inFlight: Promise<void>[] = [];
    let reading: Promise<IteratorResult<Part>> | undefined;
    try {
      let part: Part = first;
      let number = 0;
      for (;;) {
        if (inFlight.length >= concurrency) await inFlight.shift();
        const put = putPart(part, ++number);
        put.catch(() => {}); // awaited in order below, or settled on failure
        inFlight.push(put);
        if (next.done === true) break;
        part = next.value;
        reading = parts.next();
        next = await reading;
      }
      await Promise.all(inFlight);
      if (expectedSize !== undefined && sent !== expectedSize) throw changed(sent);
      const body = `<CompleteMultipartUpload xmlns="${S3_NAMESPACE}">${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${xmlEscape(etag)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
      const completed: S3Response = await this.request(context, path, {
        method: "POST", params: { uploadId }, data: body, headers: { "Content-Type": "application/xml" }, retryFailed: true, idempotent: true, signal,
      });
      // S3 may answer 200 and put the error in the body.
      const root = completed.object;
      if (localName(root.tag) === "Error") this.#throwBodyError(completed, "CompleteMultipartUpload");
      const etag = unquoteEtag(textByLocalName(root, "ETag"));
      return this.#uploaded(container, objectName, objectHeaders, sent, etag, whole.digest("hex"), options);
    } catch (error) {
      await Promise.allSettled([...inFlight, reading]);
      await parts.return(undefined).catch(() => {});
      await this.#abortMultipart(context, path, uploadId);
      throw error;
    }
  }

  /** A 200 whose body is an `<Error>` (CompleteMultipartUpload, CopyObject): its typed error, else a LibcloudError. */
  #throwBodyError(response: S3Response, operation: string): never {
    const text = s3Error({ status: 500, headers: response.headers, request: response.request, connection: response.connection }, response.body);
    throw new LibcloudError(`${operation} failed: ${text}`, { driver: this });
  }

  /** AbortMultipartUpload (`_abort_multipart`), whatever the signal: the parts must not stay behind. */
  async #abortMultipart(context: S3Context, path: string, uploadId: string): Promise<void> {
    try {
      await this.request(context, path, { method: "DELETE", params: { uploadId }, retryFailed: true });
    } catch {
      // The upload's own error is what the caller needs; a failed abort leaves what lifecycle rules clean.
    }
  }

  #uploaded(
    container: Container, objectName: string, headers: Record<string, string>, size: number, etag: string | null, md5Hex: string, options: UploadStreamOptions,
  ): StorageObject<S3ObjectExtra> {
    return new StorageObject({
      name: objectName,
      size,
      hash: etag,
      extra: { etag, md5Hash: md5Hex, contentType: headers["Content-Type"] ?? null, url: this.#objectUrl(container.name, objectName) },
      metaData: { ...(options.extra?.metaData ?? {}) },
      container,
      driver: this,
    });
  }

  // ---- downloads ------------------------------------------------------------------------------

  #get(obj: StorageObject, signal: AbortSignal | undefined, range?: string): Promise<S3RawResponse> {
    const headers: Record<string, string> = { "Accept-Encoding": "identity" };
    if (range !== undefined) headers["Range"] = range;
    return this.request({ containerName: obj.container.name, objectName: obj.name }, this.objectPath(obj.container.name, obj.name), {
      raw: true, signal, headers,
    });
  }

  /** The expected length of a response, checked against the request (M4, M12). */
  #expected(obj: StorageObject, response: S3RawResponse, start?: number, end?: number): number | undefined {
    const length = response.headers["content-length"];
    const declared = length === undefined ? undefined : Number(length);
    if (start === undefined) {
      // H12: the object's known size (from a listing, a HEAD or an upload) is what must arrive.
      const known = Number.isSafeInteger(obj.size) && obj.size >= 0 && obj.hash !== null ? obj.size : undefined;
      if (known !== undefined && declared !== undefined && known !== declared) {
        throw new LibcloudError(`Download of ${JSON.stringify(obj.name)} would be ${declared} bytes, but the object has ${known}`, { driver: this });
      }
      return declared ?? known;
    }
    if (response.status !== 206) {
      throw new LibcloudError(`The server ignored the Range of ${JSON.stringify(obj.name)} (HTTP ${response.status}, not 206)`, { driver: this });
    }
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers["content-range"] ?? "");
    const last = end === undefined ? undefined : end - 1;
    if (m === null || Number(m[1]) !== start || (last !== undefined && Number(m[2]) !== last && Number(m[3]) - 1 !== Number(m[2]))) {
      throw new LibcloudError(`The server answered another range of ${JSON.stringify(obj.name)} (${response.headers["content-range"] ?? "no Content-Range"})`, { driver: this });
    }
    const want = Number(m[2]) - Number(m[1]) + 1;
    if (obj.hash !== null && response.headers["etag"] !== undefined && unquoteEtag(response.headers["etag"]) !== obj.hash) {
      throw new LibcloudError(`${JSON.stringify(obj.name)} changed (ETag) since it was listed`, { driver: this });
    }
    return want;
  }

  /** A body checked by the base's one rule: it fails at its end when short, at once when long (H12, M4). */
  #checked(obj: StorageObject, response: S3RawResponse, expected: number | undefined, options: DownloadStreamOptions): AsyncGenerator<Buffer> {
    return this.verifyDownload(response.iterContent(options.chunkSize), { objectName: obj.name, expectedBytes: expected, onProgress: options.onProgress });
  }

  override async downloadObject(obj: StorageObject, destinationPath: string, options: DownloadObjectOptions = {}): Promise<boolean> {
    vetNames(obj.container.name, obj.name);
    return this.saveObject(obj, async () => {
      const response = await this.#get(obj, options.signal);
      return { body: response.iterContent(), expectedBytes: this.#expected(obj, response) };
    }, destinationPath, options);
  }

  override async downloadObjectAsStream(obj: StorageObject, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    vetNames(obj.container.name, obj.name);
    const response = await this.#get(obj, options.signal);
    return this.#checked(obj, response, this.#expected(obj, response), options);
  }

  static #rangeHeader(startBytes: number, endBytes: number | undefined): string {
    if (!Number.isSafeInteger(startBytes) || startBytes < 0) throw new TypeError(`startBytes must be a non-negative integer, got ${startBytes}`);
    if (endBytes !== undefined && (!Number.isSafeInteger(endBytes) || endBytes <= startBytes)) {
      throw new TypeError(`endBytes must be an integer above startBytes (exclusive end), got ${endBytes}`);
    }
    return `bytes=${startBytes}-${endBytes === undefined ? "" : endBytes - 1}`;
  }

  /** Downloads bytes [startBytes, endBytes) of an object to a file (endBytes exclusive, libcloud 3.x). */
  override async downloadObjectRange(obj: StorageObject, destinationPath: string, startBytes: number, endBytes?: number, options: DownloadObjectOptions = {}): Promise<boolean> {
    vetNames(obj.container.name, obj.name);
    const range = BaseS3StorageDriver.#rangeHeader(startBytes, endBytes);
    return this.saveObject(obj, async () => {
      const response = await this.#get(obj, options.signal, range);
      return { body: response.iterContent(), expectedBytes: this.#expected(obj, response, startBytes, endBytes) };
    }, destinationPath, options);
  }

  /** Streams bytes [startBytes, endBytes) of an object (endBytes exclusive). */
  override async downloadObjectRangeAsStream(obj: StorageObject, startBytes: number, endBytes?: number, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    vetNames(obj.container.name, obj.name);
    const response = await this.#get(obj, options.signal, BaseS3StorageDriver.#rangeHeader(startBytes, endBytes));
    return this.#checked(obj, response, this.#expected(obj, response, startBytes, endBytes), options);
  }

  /**
   * DeleteObject. S3 answers 204 whether or not the key existed, so a HEAD first gives the typed
   * ObjectDoesNotExistError every driver gives.
   */
  override async deleteObject(obj: StorageObject): Promise<boolean> {
    vetNames(obj.container.name, obj.name);
    const context = { containerName: obj.container.name, objectName: obj.name };
    const path = this.objectPath(obj.container.name, obj.name);
    await this.request(context, path, { method: "HEAD" });
    await this.request(context, path, { method: "DELETE" });
    return true;
  }

  /** CopyObject (server side); S3 may answer 200 with an error in the body, which is thrown. */
  override async copyObject(obj: StorageObject, container: Container, objectName: string, options: { signal?: AbortSignal | undefined } = {}): Promise<StorageObject<S3ObjectExtra>> {
    vetNames(obj.container.name, obj.name);
    vetNames(container.name, objectName);
    const source = `/${uriEncode(obj.container.name)}/${obj.name.split("/").map(uriEncode).join("/")}`;
    const response: S3Response = await this.request({ containerName: container.name, objectName }, this.objectPath(container.name, objectName), {
      method: "PUT", headers: { "x-amz-copy-source": source, "x-amz-metadata-directive": "COPY" }, signal: options.signal,
    });
    const root = response.object;
    if (typeof root === "object" && root !== null && localName(root.tag) === "Error") this.#throwBodyError(response, "CopyObject");
    return this.getObject(container.name, objectName);
  }

  /**
   * A presigned URL for an object (`get_object_cdn_url`): SigV4 in the query, valid `exExpiry`
   * hours (at most 7 days), for `exMethod` (GET). Plain `curl` downloads it.
   */
  override async getObjectCdnUrl(obj: StorageObject, options: S3CdnUrlOptions = {}): Promise<string> {
    vetNames(obj.container.name, obj.name);
    const { exExpiry = defaultCdnExpiryHours(), exMethod = "GET" } = options;
    const conn = this.connectionFor(obj.container.name);
    const path = this.objectPath(obj.container.name, obj.name);
    const origin = this.#origin(obj.container.name);
    const host = origin.replace(/^https?:\/\//, "");
    const query = conn.signer.presignQuery({ method: exMethod, path, query: [], headers: { host }, payloadHash: UNSIGNED_PAYLOAD }, conn.signingTime(),
      Math.round(exExpiry * 3600));
    return `${origin}${path}?${query.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join("&")}`;
  }
  // ---- libcloud's S3 extensions -----------------------------------------------------------------

  /**
   * The multipart uploads in progress in a bucket (`ex_iterate_multipart_uploads`):
   * ListMultipartUploads, `responsesPerRequest` a page, following NextKeyMarker/NextUploadIdMarker.
   * A server that answers with anything but a ListMultipartUploadsResult (s3rver answers the
   * request as an object listing) is an error, never an empty list.
   */
  async *exIterateMultipartUploads(container: Container, options: S3MultipartUploadsOptions = {}): AsyncIterableIterator<S3MultipartUpload> {
    vetNames(container.name);
    const base: Array<[string, string | number]> = [["uploads", ""], ["max-uploads", this.responsesPerRequest]];
    if (options.prefix !== undefined && options.prefix !== "") base.push(["prefix", options.prefix]);
    if (options.delimiter !== undefined && options.delimiter !== "") base.push(["delimiter", options.delimiter]);
    let markers: Array<[string, string]> = [];
    for (;;) {
      const response: S3Response = await this.request({ containerName: container.name }, this.containerPath(container.name), {
        params: [...base, ...markers], signal: options.signal,
      });
      const root = response.object;
      if (localName(root.tag) !== "ListMultipartUploadsResult") {
        throw new LibcloudError(`ListMultipartUploads answered <${localName(root.tag)}>, not <ListMultipartUploadsResult>: the server does not list multipart uploads`, { driver: this });
      }
      for (const node of childrenByLocalName(root, "Upload")) {
        yield new S3MultipartUpload(
          textByLocalName(node, "Key") ?? "", textByLocalName(node, "UploadId") ?? "", textByLocalName(node, "Initiated"),
          textByLocalName(childByLocalName(node, "Initiator"), "DisplayName"), textByLocalName(childByLocalName(node, "Owner"), "DisplayName"),
        );
      }
      if ((textByLocalName(root, "IsTruncated") ?? "false").trim().toLowerCase() !== "true") return;
      const next: Array<[string, string]> = [["key-marker", textByLocalName(root, "NextKeyMarker") ?? ""], ["upload-id-marker", textByLocalName(root, "NextUploadIdMarker") ?? ""]];
      if (next[0]![1] === "" || JSON.stringify(next) === JSON.stringify(markers)) {
        throw new LibcloudError("A truncated ListMultipartUploads gave no new NextKeyMarker/NextUploadIdMarker", { driver: this });
      }
      markers = next;
    }
  }

  /**
   * Aborts every multipart upload in progress in a bucket, or those of keys under `prefix`
   * (`ex_cleanup_all_multipart_uploads`), so their parts stop being stored. Unlike the abort after
   * a failed upload, a failed abort here is thrown. Returns how many were aborted.
   */
  async exCleanupAllMultipartUploads(container: Container, options: Omit<S3MultipartUploadsOptions, "delimiter"> = {}): Promise<number> {
    let aborted = 0;
    for await (const upload of this.exIterateMultipartUploads(container, { prefix: options.prefix, signal: options.signal })) {
      vetNames(container.name, upload.key);
      await this.request({ containerName: container.name, objectName: upload.key }, this.objectPath(container.name, upload.key), {
        method: "DELETE", params: { uploadId: upload.id }, retryFailed: true, signal: options.signal,
      });
      aborted += 1;
    }
    return aborted;
  }
}

/**
 * Amazon S3 in any region (`S3StorageDriver`): `region` picks the endpoint (us-east-1 unless given;
 * `host`/`url` override it for S3-compatible endpoints) and the signing region.
 */
export class S3StorageDriver extends BaseS3StorageDriver {
  override name = "Amazon S3";
  /** The regions with a known endpoint (`list_regions`). */
  static listRegions(): string[] {
    return Object.keys(REGION_TO_HOST_MAP);
  }

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    const region = options.region || "us-east-1";
    const host = options.host ?? (options.url === undefined ? s3HostForRegion(region) : undefined);
    super(key, secret, { ...options, region, ...(host === undefined ? {} : { host }) });
    this.name = `Amazon S3 (${region})`;
    this.exLocationName = region === "us-east-1" ? "" : region;
  }
}
