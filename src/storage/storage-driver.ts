// Port of libcloud/storage/base.py: StorageDriver.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { BaseDriver, LibcloudError, type Connection } from "../index.js";
import type { Container } from "./container.js";
import { localFileName } from "./names.js";
import type { StorageObject } from "./storage-object.js";
import { verifiedDownload, type DownloadCheck, type TransferProgress } from "./transfer.js";

/** Options of `iterateContainerObjects` / `listContainerObjects`. */
export interface ListObjectsOptions {
  /** Only objects whose name starts with this. */
  prefix?: string | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Attributes of an uploaded object (libcloud's `extra` argument). */
export interface UploadExtra {
  /** Content type. @defaultValue "application/octet-stream" */
  contentType?: string | undefined;
  /** User metadata (`meta_data`). */
  metaData?: Record<string, string> | undefined;
}

/** Options of `uploadObjectViaStream`. */
export interface UploadStreamOptions {
  /** Content type and metadata of the new object. */
  extra?: UploadExtra | undefined;
  /** Extra request headers (Cache-Control, Content-Encoding, Content-Language are stored with the object). */
  headers?: Record<string, string> | undefined;
  /** Called after each chunk sent, with the bytes sent so far and the total when known. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Options of `uploadObject`. */
export interface UploadObjectOptions extends UploadStreamOptions {
  /** Check the data against its MD5 hash. @defaultValue true */
  verifyHash?: boolean | undefined;
}

/** Options of `downloadObject`. */
export interface DownloadObjectOptions {
  /** Replace an existing file. @defaultValue false */
  overwriteExisting?: boolean | undefined;
  /** Remove the partial file when the download fails. @defaultValue true */
  deleteOnFailure?: boolean | undefined;
  /** Called after each chunk received, with the bytes received so far and the total when known. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Options of `downloadObjectAsStream`. */
export interface DownloadStreamOptions {
  /** Size of every chunk but the last, in bytes; unset, chunks come as the network delivers them. */
  chunkSize?: number | undefined;
  /** Called after each chunk received, with the bytes received so far and the total when known. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** What a driver's download hands `saveObject`: the body and what to check it against. */
export interface DownloadSource {
  /** The response body, chunk by chunk. */
  body: AsyncIterable<Buffer>;
  /** Bytes the body must have (the object's size, Content-Length or range length). */
  expectedBytes: number | undefined;
  /** Base64 MD5 of the whole object, when the server states one for this body. */
  contentMd5?: string | undefined;
}

function notImplemented(driver: StorageDriver, method: string): never {
  throw new LibcloudError(`${method} not implemented for this driver (${driver.constructor.name})`, { driver });
}

/**
 * A base storage driver (`libcloud.storage.base.StorageDriver`). Every method is async; listings are
 * async iterators that follow the provider's pages; object bodies are async iterables of Buffers.
 * `C` types `this.connection`; `ContainerExtra` and `ObjectExtra` type the `extra` of the
 * containers and objects the driver returns (each driver declares its own).
 */
export class StorageDriver<
  C extends Connection = Connection,
  ContainerExtra extends Record<string, unknown> = Record<string, unknown>,
  ObjectExtra extends Record<string, unknown> = Record<string, unknown>,
> extends BaseDriver<C> {
  /** Whether the provider takes chunked transfer encoding for uploads. */
  supportsChunkedEncoding = false;
  /** The hash the provider keeps for objects. */
  hashType = "md5";

  /** Iterates all containers, page by page. */
  // eslint-disable-next-line require-yield
  async *iterateContainers(_options: { signal?: AbortSignal | undefined } = {}): AsyncIterableIterator<Container<ContainerExtra>> {
    notImplemented(this, "iterateContainers");
  }

  /** Lists all containers. */
  async listContainers(options: { signal?: AbortSignal | undefined } = {}): Promise<Container<ContainerExtra>[]> {
    const out: Container<ContainerExtra>[] = [];
    for await (const container of this.iterateContainers(options)) out.push(container);
    return out;
  }

  /** Iterates a container's objects, page by page. */
  // eslint-disable-next-line require-yield
  async *iterateContainerObjects(_container: Container, _options: ListObjectsOptions = {}): AsyncIterableIterator<StorageObject<ObjectExtra>> {
    notImplemented(this, "iterateContainerObjects");
  }

  /** Lists a container's objects. */
  async listContainerObjects(container: Container, options: ListObjectsOptions = {}): Promise<StorageObject<ObjectExtra>[]> {
    const out: StorageObject<ObjectExtra>[] = [];
    for await (const obj of this.iterateContainerObjects(container, options)) out.push(obj);
    return out;
  }

  /** Gets a container by name; throws ContainerDoesNotExistError. */
  async getContainer(_containerName: string): Promise<Container<ContainerExtra>> {
    notImplemented(this, "getContainer");
  }

  /** Creates a container; throws ContainerAlreadyExistsError or InvalidContainerNameError. */
  async createContainer(_containerName: string): Promise<Container<ContainerExtra>> {
    notImplemented(this, "createContainer");
  }

  /** Deletes an empty container; throws ContainerIsNotEmptyError or ContainerDoesNotExistError. */
  async deleteContainer(_container: Container): Promise<boolean> {
    notImplemented(this, "deleteContainer");
  }

  /** Gets an object; throws ObjectDoesNotExistError or ContainerDoesNotExistError. */
  async getObject(_containerName: string, _objectName: string): Promise<StorageObject<ObjectExtra>> {
    notImplemented(this, "getObject");
  }

  /** Uploads a file. */
  async uploadObject(_filePath: string, _container: Container, _objectName: string, _options: UploadObjectOptions = {}): Promise<StorageObject<ObjectExtra>> {
    notImplemented(this, "uploadObject");
  }

  /** Uploads the bytes of an async (or sync) iterable, in constant memory. */
  async uploadObjectViaStream(
    _iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, _container: Container, _objectName: string, _options: UploadStreamOptions = {},
  ): Promise<StorageObject<ObjectExtra>> {
    notImplemented(this, "uploadObjectViaStream");
  }

  /** Downloads an object to a file (see `saveObject`). Returns true. */
  async downloadObject(_obj: StorageObject, _destinationPath: string, _options: DownloadObjectOptions = {}): Promise<boolean> {
    notImplemented(this, "downloadObject");
  }

  /** Downloads an object as an async iterable of Buffers. The request is sent (and fails) before this resolves. */
  async downloadObjectAsStream(_obj: StorageObject, _options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    notImplemented(this, "downloadObjectAsStream");
  }

  /**
   * Downloads bytes `startBytes` up to `endBytes` (exclusive; unset: to the end) of an object to a
   * file, as `downloadObject` does (libcloud 3.x `download_object_range`). The received length is
   * checked against the range, and a server that ignores the range is detected.
   */
  async downloadObjectRange(
    _obj: StorageObject, _destinationPath: string, _startBytes: number, _endBytes?: number, _options: DownloadObjectOptions = {},
  ): Promise<boolean> {
    notImplemented(this, "downloadObjectRange");
  }

  /** Downloads bytes `startBytes` up to `endBytes` (exclusive) of an object as an async iterable (`download_object_range_as_stream`). */
  async downloadObjectRangeAsStream(
    _obj: StorageObject, _startBytes: number, _endBytes?: number, _options: DownloadStreamOptions = {},
  ): Promise<AsyncIterableIterator<Buffer>> {
    notImplemented(this, "downloadObjectRangeAsStream");
  }

  /** A URL that serves the object without the driver's credentials (libcloud's `get_object_cdn_url`). */
  async getObjectCdnUrl(_obj: StorageObject, _options: Record<string, unknown> = {}): Promise<string> {
    notImplemented(this, "getObjectCdnUrl");
  }

  /** Deletes an object; throws ObjectDoesNotExistError. Returns true. */
  async deleteObject(_obj: StorageObject): Promise<boolean> {
    notImplemented(this, "deleteObject");
  }

  /** Copies an object (server side) to `objectName` in `container`, where the driver supports it. */
  async copyObject(_obj: StorageObject, _container: Container, _objectName: string, _options: { signal?: AbortSignal | undefined } = {}): Promise<StorageObject<ObjectExtra>> {
    notImplemented(this, "copyObject");
  }

  /**
   * A download's chunks, counted and hashed (see `verifiedDownload`): more or fewer bytes than
   * expected, or a hash contradicting `contentMd5`, fail the iteration, at the latest at its end.
   */
  protected verifyDownload(body: AsyncIterable<Buffer>, check: Omit<DownloadCheck, "driver">): AsyncGenerator<Buffer> {
    return verifiedDownload(body, { ...check, driver: this });
  }

  /**
   * The `Range` header value of bytes `start` up to `end` (exclusive), libcloud's
   * `_get_standard_range_str`. Bad bounds are a TypeError before anything is sent (libcloud's
   * `_validate_start_and_end_bytes`).
   */
  protected rangeOf(startBytes: number, endBytes: number | undefined): string {
    if (!Number.isSafeInteger(startBytes) || startBytes < 0) throw new TypeError(`startBytes must be a non-negative integer, got ${String(startBytes)}`);
    if (endBytes !== undefined && (!Number.isSafeInteger(endBytes) || endBytes <= startBytes)) {
      throw new TypeError(`endBytes must be an integer above startBytes (${startBytes}), got ${String(endBytes)}`);
    }
    return endBytes === undefined ? `bytes=${startBytes}-` : `bytes=${startBytes}-${endBytes - 1}`;
  }

  /**
   * How many bytes a ranged answer must carry (RELIABILITY M4, M12), or why it cannot be taken:
   * a 206 must start at `startBytes` (its `Content-Range`) and cover the range, clipped to the
   * object's total; a 200 (a server that ignored `Range`) is taken only when its whole body is
   * exactly what the range asked for (it starts at 0 and does not go past `endBytes`).
   */
  protected rangeAnswer(
    startBytes: number, endBytes: number | undefined, status: number, contentRange: string | undefined, contentLength: number | undefined,
  ): {
    /** Bytes the body must have. */
    expectedBytes: number | undefined;
  } | {
    /** Why the answer does not fit the range asked for. */
    problem: string;
  } {
    if (status === 206) {
      const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? "");
      if (match === null) return { problem: `the server answered 206 with Content-Range ${JSON.stringify(contentRange ?? "")}` };
      const [first, last, total] = [Number(match[1]), Number(match[2]), match[3] === "*" ? undefined : Number(match[3])];
      if (first !== startBytes) return { problem: `the server sent bytes from ${first}, not ${startBytes}` };
      const end = total === undefined ? endBytes : endBytes === undefined ? total : Math.min(endBytes, total);
      const served = last - first + 1;
      if (end !== undefined && served !== end - startBytes) return { problem: `the server serves ${served} bytes, the range has ${end - startBytes}` };
      return { expectedBytes: served };
    }
    if (startBytes !== 0 || contentLength === undefined || (endBytes !== undefined && contentLength > endBytes)) {
      return { problem: `the server ignored the range and sent the whole object (${status})` };
    }
    return { expectedBytes: contentLength };
  }

  /**
   * Writes a download to `destinationPath` (libcloud's `_save_object`), safely: the bytes go to a
   * temporary file next to it, are checked as `verifyDownload` does, and only then is it renamed
   * into place. An existing file is left untouched unless `overwriteExisting` (checked before
   * anything is requested, and again atomically at the end); a failed download leaves no partial
   * file unless `deleteOnFailure` is false. A directory as destination receives the object name's
   * last segment, vetted by `localFileName` (never `..`, never a path outside the directory).
   */
  protected async saveObject(
    obj: StorageObject,
    open: () => Promise<DownloadSource>,
    destinationPath: string,
    options: DownloadObjectOptions = {},
  ): Promise<boolean> {
    const { overwriteExisting = false, deleteOnFailure = true, onProgress } = options;
    let target = destinationPath;
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) target = join(target, localFileName(obj.name));
    if (!overwriteExisting && (await stat(target).catch(() => null)) !== null) {
      throw new LibcloudError(`File ${JSON.stringify(target)} already exists, but overwriteExisting is false`, { driver: this });
    }
    const { body, expectedBytes, contentMd5 } = await open();
    // Short, whatever the object's name: a 255-byte name must still fit the file system's limit.
    const temp = join(dirname(target), `.libcloud-${randomBytes(8).toString("hex")}.part`);
    try {
      await pipeline(this.verifyDownload(body, { objectName: obj.name, expectedBytes, contentMd5, onProgress }), createWriteStream(temp, { flags: "wx" }));
      if (overwriteExisting) {
        await rename(temp, target);
      } else {
        await link(temp, target); // fails with EEXIST when a file appeared meanwhile: never clobbered
        await unlink(temp);
      }
    } catch (error) {
      if (deleteOnFailure) await unlink(temp).catch(() => {});
      throw error;
    }
    return true;
  }
}
