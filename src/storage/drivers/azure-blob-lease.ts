// Port of libcloud/storage/drivers/azure_blobs.py: AzureBlobLease.
import { LibcloudError, type Connection } from "../../index.js";

/** Seconds a lease lasts (libcloud's AZURE_LEASE_PERIOD). */
const LEASE_SECONDS = 60;

/**
 * A lease on a blob for the length of an upload (`libcloud.storage.drivers.azure_blobs.AzureBlobLease`):
 * acquired for 60 s before the first byte (a blob that does not exist yet gets none, as in
 * libcloud), renewed before each request once it is half way to expiry (libcloud renews before
 * every block), released at the end. While it is held, writers without its id are refused.
 */
export class AzureBlobLease {
  /** A lease is renewed before a request once it is this old (ms; half its period), so it never lapses mid-upload. */
  static renewAfterMs = (LEASE_SECONDS * 1000) / 2;
  /** The lease id (`x-ms-lease-id`). */
  readonly id: string;
  readonly #connection: Connection;
  readonly #path: string;
  #renewedAt: number;

  private constructor(connection: Connection, path: string, id: string) {
    this.#connection = connection;
    this.#path = path;
    this.id = id;
    this.#renewedAt = Date.now();
  }

  /**
   * Acquires a lease on the blob at `path`; undefined when the blob does not exist (404), as
   * libcloud's `__enter__`. A blob leased by someone else fails with the service's 409 error.
   */
  static async acquire(driver: { connection: Connection }, path: string, signal?: AbortSignal): Promise<AzureBlobLease | undefined> {
    try {
      const response = await driver.connection.request(path, {
        method: "PUT", params: { comp: "lease" }, headers: { "x-ms-lease-action": "acquire", "x-ms-lease-duration": String(LEASE_SECONDS) }, signal,
      });
      const id = response.headers["x-ms-lease-id"];
      if (response.status !== 201 || id === undefined) throw new LibcloudError("Unable to obtain lease", { driver });
      return new AzureBlobLease(driver.connection, path, id);
    } catch (error) {
      if ((error as { name?: string }).name === "ObjectDoesNotExistError") return undefined;
      throw error;
    }
  }

  /** Renews the lease when it is half way to expiry (libcloud's `renew`, before every request there). */
  async renewIfDue(signal?: AbortSignal): Promise<void> {
    if (Date.now() - this.#renewedAt < AzureBlobLease.renewAfterMs) return;
    this.#renewedAt = Date.now();
    await this.#action("renew", signal);
  }

  /** Releases the lease (libcloud's `__exit__`). */
  async release(): Promise<void> {
    await this.#action("release");
  }

  async #action(action: "renew" | "release", signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { "x-ms-lease-action": action, "x-ms-lease-id": this.id };
    if (action === "renew") headers["x-ms-lease-duration"] = String(LEASE_SECONDS);
    const response = await this.#connection.request(this.#path, { method: "PUT", params: { comp: "lease" }, headers, signal });
    if (response.status !== 200) throw new LibcloudError(`Unable to ${action} lease`, { driver: this.#connection.driver });
  }

  /** A summary: never the lease id's connection. */
  toJSON(): Record<string, unknown> {
    return { id: this.id };
  }
}
