// Port of libcloud/storage/types.py: the storage errors.
import { LibcloudError, type LibcloudErrorOptions } from "../index.js";

/** Options of a container error. */
export interface ContainerErrorOptions extends LibcloudErrorOptions {
  /** The container's name. */
  containerName: string;
}

/** Options of an object error. */
export interface ObjectErrorOptions extends LibcloudErrorOptions {
  /** The object's name. */
  objectName: string;
}

/** An error about a container (`libcloud.storage.types.ContainerError`). */
export class ContainerError extends LibcloudError {
  /** The class name, `"ContainerError"` (also shown by `toString()`). */
  override name = "ContainerError";
  /** The container's name. */
  readonly containerName: string;

  constructor(value: unknown, options: ContainerErrorOptions) {
    super(value ?? `Container ${JSON.stringify(options.containerName)}`, options);
    this.containerName = options.containerName;
  }
}

/** An error about an object (`libcloud.storage.types.ObjectError`). */
export class ObjectError extends LibcloudError {
  /** The class name, `"ObjectError"` (also shown by `toString()`). */
  override name = "ObjectError";
  /** The object's name. */
  readonly objectName: string;

  constructor(value: unknown, options: ObjectErrorOptions) {
    super(value ?? `Object ${JSON.stringify(options.objectName)}`, options);
    this.objectName = options.objectName;
  }
}

/** The container is not empty, so it cannot be deleted. */
export class ContainerIsNotEmptyError extends ContainerError {
  /** The class name, `"ContainerIsNotEmptyError"` (also shown by `toString()`). */
  override name = "ContainerIsNotEmptyError";
}

/** A container with this name already exists. */
export class ContainerAlreadyExistsError extends ContainerError {
  /** The class name, `"ContainerAlreadyExistsError"` (also shown by `toString()`). */
  override name = "ContainerAlreadyExistsError";
}

/** The container does not exist. */
export class ContainerDoesNotExistError extends ContainerError {
  /** The class name, `"ContainerDoesNotExistError"` (also shown by `toString()`). */
  override name = "ContainerDoesNotExistError";
}

/** The provider refused the container's name. */
export class InvalidContainerNameError extends ContainerError {
  /** The class name, `"InvalidContainerNameError"` (also shown by `toString()`). */
  override name = "InvalidContainerNameError";
}

/** The object does not exist. */
export class ObjectDoesNotExistError extends ObjectError {
  /** The class name, `"ObjectDoesNotExistError"` (also shown by `toString()`). */
  override name = "ObjectDoesNotExistError";
}

/** The data received or stored does not match its hash. */
export class ObjectHashMismatchError extends ObjectError {
  /** The class name, `"ObjectHashMismatchError"` (also shown by `toString()`). */
  override name = "ObjectHashMismatchError";
}

/**
 * The object's name could address something else than one object (a `.`/`..` segment, an empty
 * segment, a backslash, NUL, a lone surrogate): refused before any byte is sent. Not in libcloud.
 */
export class InvalidObjectNameError extends ObjectError {
  override name = "InvalidObjectNameError";
}

/**
 * An upload's source broke its promise (a file that shrank, grew, changed or disappeared while it
 * was read): nothing was committed, the existing object is unchanged. Not in libcloud.
 */
export class UploadError extends ObjectError {
  override name = "UploadError";
}

/** Options of an UploadPartError. */
export interface UploadPartErrorOptions extends ObjectErrorOptions {
  /** The part that failed (1 for the first). */
  partNumber: number;
  /** Attempts made at it, the first included. */
  attempts: number;
}

/**
 * A part of a multi-part upload kept failing (5xx, 429, dropped connections) until its retries ran
 * out: the upload was stopped and cleaned up (S3: aborted, no parts left), nothing was committed.
 * `cause` is the last attempt's error. Not in libcloud (its parts are not retried).
 */
export class UploadPartError extends UploadError {
  /** The class name, `"UploadPartError"` (also shown by `toString()`). */
  override name = "UploadPartError";
  /** The part that failed (1 for the first). */
  readonly partNumber: number;
  /** Attempts made at it, the first included. */
  readonly attempts: number;

  constructor(value: unknown, options: UploadPartErrorOptions) {
    super(value, options);
    this.partNumber = options.partNumber;
    this.attempts = options.attempts;
  }
}

/** Options of a DownloadIncompleteError. */
export interface DownloadIncompleteErrorOptions extends ObjectErrorOptions {
  /** Bytes received. */
  receivedBytes: number;
  /** Bytes expected (the object's known size, the Content-Length or the range's length). */
  expectedBytes: number;
}

/**
 * A download delivered fewer or more bytes than the object's known size, its Content-Length or the
 * requested range (RELIABILITY M4, H12): nothing was saved. Not in libcloud.
 */
export class DownloadIncompleteError extends ObjectError {
  override name = "DownloadIncompleteError";
  /** Bytes received. */
  readonly receivedBytes: number;
  /** Bytes expected. */
  readonly expectedBytes: number;

  constructor(value: unknown, options: DownloadIncompleteErrorOptions) {
    super(value, options);
    this.receivedBytes = options.receivedBytes;
    this.expectedBytes = options.expectedBytes;
  }
}
