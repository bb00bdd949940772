// Port of libcloud/storage/base.py: StorageDriver.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { BaseDriver, LibcloudError, type Connection } from "../index.js";
import type { Container } from "./container.js";
import type { StorageObject } from "./storage-object.js";

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
  /** Called with the total bytes sent so far, after each block. */
  onProgress?: ((bytesTransferred: number) => void) | undefined;
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
  /** Called with the total bytes written so far. */
  onProgress?: ((bytesTransferred: number) => void) | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
}

/** Options of `downloadObjectAsStream`. */
export interface DownloadStreamOptions {
  /** Size of every chunk but the last, in bytes; unset, chunks come as the network delivers them. */
  chunkSize?: number | undefined;
  /** Cancels the operation. */
  signal?: AbortSignal | undefined;
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

  /** Deletes an object; throws ObjectDoesNotExistError. Returns true. */
  async deleteObject(_obj: StorageObject): Promise<boolean> {
    notImplemented(this, "deleteObject");
  }

  /** Copies an object (server side) to `objectName` in `container`, where the driver supports it. */
  async copyObject(_obj: StorageObject, _container: Container, _objectName: string, _options: { signal?: AbortSignal | undefined } = {}): Promise<StorageObject<ObjectExtra>> {
    notImplemented(this, "copyObject");
  }

  /**
   * Writes a download to `destinationPath` (libcloud's `_save_object`), safely: the bytes go to a
   * temporary file next to it, the size is checked against `expectedSize`, and only then is it
   * renamed into place. An existing file is left untouched unless `overwriteExisting` (checked before
   * anything is requested, and again atomically at the end); a failed download leaves no partial file
   * unless `deleteOnFailure` is false. A directory as destination receives the object's base name.
   */
  protected async saveObject(
    obj: StorageObject,
    open: () => Promise<{ body: AsyncIterable<Buffer>; expectedSize: number | undefined }>,
    destinationPath: string,
    options: DownloadObjectOptions = {},
  ): Promise<boolean> {
    const { overwriteExisting = false, deleteOnFailure = true, onProgress } = options;
    let target = destinationPath;
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) target = join(target, basename(obj.name));
    if (!overwriteExisting && (await stat(target).catch(() => null)) !== null) {
      throw new LibcloudError(`File ${JSON.stringify(target)} already exists, but overwriteExisting is false`, { driver: this });
    }
    const { body, expectedSize } = await open();
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.part`);
    let written = 0;
    try {
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const chunk of body) {
          written += chunk.length;
          onProgress?.(written);
          yield chunk;
        }
      }
      await pipeline(counted(), createWriteStream(temp, { flags: "wx" }));
      if (expectedSize !== undefined && written !== expectedSize) {
        throw new LibcloudError(`Download of ${JSON.stringify(obj.name)} is incomplete: got ${written} of ${expectedSize} bytes`, { driver: this });
      }
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
