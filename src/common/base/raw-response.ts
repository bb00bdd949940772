// Port of libcloud/common/base.py: RawResponse.
import type { Readable } from "node:stream";
import { inspect, type InspectOptionsStylized } from "node:util";
import type { HeaderMap } from "../exceptions.js";
import { inspectView, showResponse, type InspectFunction } from "../../utils/show.js";
import { LibcloudError } from "../types.js";
import type { HTTPResponse } from "../../http/http-response.js";
import type { LibcloudRequest } from "./request-context.js";
import { decodeBody, type ResponseConnection } from "./response.js";

/** How much of a failed raw response's body is read for its error. */
export const RAW_ERROR_BODY_LIMIT = 1024 * 1024;

/**
 * A response whose body is not read up front (`libcloud.common.base.RawResponse`): `status`,
 * `headers` and `reason` are there at once, the body is a stream read with backpressure in
 * constant memory.
 */
export class RawResponse {
  /** The connection that made the request. */
  readonly connection: ResponseConnection;
  /** The raw transport response. */
  readonly httpResponse: HTTPResponse;
  /** HTTP status. */
  status: number;
  /** Response headers, names lower-cased. */
  headers: HeaderMap;
  /** The request this answers (set by the connection). */
  request: LibcloudRequest | undefined;
  /** The start of the body of a failed response (read by the connection before `parseError()`). */
  errorBody = "";
  #consumed = false;

  constructor(connection: ResponseConnection, response: HTTPResponse) {
    this.connection = connection;
    this.httpResponse = response;
    this.status = response.status;
    this.headers = response.headers;
    this.request = undefined;
  }

  /** The reason phrase. */
  get reason(): string {
    return this.httpResponse.reason;
  }

  /** The body as a Node Readable. */
  get response(): Readable | null {
    return this.httpResponse.stream;
  }

  /** Whether the request succeeded: 200, 201 or 202 (override to change). */
  success(): boolean {
    return this.status === 200 || this.status === 201 || this.status === 202;
  }

  /** Parses a failed response's error (override in a provider's subclass). Returns the error body. */
  parseError(): unknown {
    return this.errorBody;
  }

  /** Reads the whole body (small bodies only). */
  async body(): Promise<Buffer> {
    this.#take();
    return this.httpResponse.read();
  }

  /**
   * Iterates the body as Buffers with backpressure. With `chunkSize`, every chunk but the last has
   * exactly that many bytes; without, chunks come as the network delivers them.
   */
  async *iterContent(chunkSize?: number): AsyncGenerator<Buffer, void, undefined> {
    if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize <= 0)) {
      throw new RangeError(`iterContent(chunkSize): chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    this.#take();
    const stream = this.httpResponse.stream;
    if (stream === null) {
      const all = await this.httpResponse.read();
      for (let i = 0; i < all.length; i += chunkSize ?? all.length) yield all.subarray(i, i + (chunkSize ?? all.length));
      return;
    }
    if (chunkSize === undefined) {
      for await (const chunk of stream) yield chunk as Buffer;
      return;
    }
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const piece of stream) {
      let chunk = piece as Buffer;
      while (pendingBytes + chunk.length >= chunkSize) {
        const need = chunkSize - pendingBytes;
        pending.push(chunk.subarray(0, need));
        yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, chunkSize);
        pending = [];
        pendingBytes = 0;
        chunk = chunk.subarray(need);
      }
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    }
    if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
  }

  /** Reads the start of a failed response's body into `errorBody`, then releases the rest. @internal */
  async readErrorBody(limit = RAW_ERROR_BODY_LIMIT): Promise<void> {
    const stream = this.httpResponse.stream;
    if (stream === null) {
      this.errorBody = decodeBody(await this.httpResponse.read(limit), this.headers["content-type"]).trim();
      return;
    }
    this.#take();
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        total += (chunk as Buffer).length;
        if (total >= limit) break;
      }
    } catch {
      // The status is what matters; a body cut short still gives the error its text.
    } finally {
      stream.destroy();
    }
    this.errorBody = decodeBody(Buffer.concat(chunks).subarray(0, limit), this.headers["content-type"]).trim();
  }

  /** Shown without credentials (src/utils/show.ts). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** Shown without credentials (src/utils/show.ts). */
  toJSON(): Record<string, unknown> {
    return showResponse({ status: this.status, reason: this.reason, headers: this.headers, errorBody: this.errorBody, request: this.request, connection: this.connection });
  }

  #take(): void {
    if (this.#consumed) throw new LibcloudError("The response body has already been consumed");
    this.#consumed = true;
  }
}
