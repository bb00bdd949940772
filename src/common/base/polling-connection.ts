// Port of libcloud/common/base.py: PollingConnection.
import { LibcloudError, PollTimeoutError } from "../types.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { Connection, type ConnectionOptions, type RequestOptions } from "./connection.js";
import { defineSecret } from "./connection-key.js";
import type { HeaderInput, Params, RequestBody } from "./request-context.js";

/** What `asyncRequest` takes. */
export interface AsyncRequestOptions {
  params?: Params | undefined;
  data?: RequestBody;
  headers?: HeaderInput | undefined;
  method?: string | undefined;
  /** Passed to getRequestOptions and getPollRequestOptions. */
  context?: Record<string, unknown> | undefined;
  /** Cancels the first request, the polls and the sleeps between them. */
  signal?: AbortSignal | undefined;
}

/** A request to make: its action and the rest of `request()`'s options. */
export interface PollRequestOptions extends RequestOptions {
  action: string;
}

/**
 * A connection for asynchronous APIs (`libcloud.common.base.PollingConnection`): the first request
 * starts a job, then the job is polled every `pollInterval` ms until `hasCompleted` says so or
 * `timeout` ms pass.
 */
export class PollingConnection extends Connection {
  static override timeout = 200_000;
  /** Time between polls in ms. @defaultValue 500 */
  static pollInterval = 500;
  /** The method that sends each request. @defaultValue "request" */
  static requestMethod = "request";

  pollInterval: number;
  requestMethod: string;

  constructor(...args: ConstructorParameters<typeof Connection>) {
    super(...args);
    const cls = this.constructor as typeof PollingConnection;
    this.pollInterval = cls.pollInterval;
    this.requestMethod = cls.requestMethod;
  }

  /**
   * Starts a job and polls it until it completes; returns the last poll's response. Throws
   * PollTimeoutError ("Job did not complete in N seconds") after `timeout`; a typed error thrown by
   * `hasCompleted` (a failed job) ends polling at once; an abort rejects with the signal's reason.
   */
  async asyncRequest(action: string, options: AsyncRequestOptions = {}): Promise<any> {
    const { context = {}, signal, ...rest } = options;
    const send = (this as any)[this.requestMethod] as ((action: string, options: RequestOptions) => Promise<any>) | undefined;
    if (typeof send !== "function") throw new LibcloudError(`requestMethod "${this.requestMethod}" is not a method of ${this.constructor.name}`);
    const clock = getClock();
    const requestOptions = await this.getRequestOptions({ action, ...rest, context });
    const { action: firstAction, ...firstRest } = requestOptions;
    let response = await send.call(this, firstAction, { ...firstRest, signal });
    const pollOptions = await this.getPollRequestOptions({ response, context, requestOptions });
    const { action: pollAction, ...pollRest } = pollOptions;
    // A poll is a read: a transient failure of one poll is retried, never the request that started the job.
    const pollRequest = { retryFailed: true, ...pollRest, signal };
    const deadline = clock.now() + this.timeout;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      response = await send.call(this, pollAction, pollRequest);
      if (await this.hasCompleted(response)) return response;
      if (clock.now() + this.pollInterval > deadline) {
        throw new PollTimeoutError(`Job did not complete in ${this.timeout / 1000} seconds`);
      }
      await clock.sleep(this.pollInterval, signal);
    }
  }

  /** The first request's options (`get_request_kwargs`): the arguments as given. */
  getRequestOptions(options: PollRequestOptions & { context?: Record<string, unknown> }): PollRequestOptions | Promise<PollRequestOptions> {
    const { context: _context, ...rest } = options;
    return rest;
  }

  /** The poll requests' options (`get_poll_request_kwargs`). Subclasses must implement it. */
  getPollRequestOptions(_args: { response: any; context: Record<string, unknown>; requestOptions: PollRequestOptions }): PollRequestOptions | Promise<PollRequestOptions> {
    throw new LibcloudError("getPollRequestOptions not implemented for this connection");
  }

  /** Whether the job has completed; may throw a typed error for a failed job. Subclasses must implement it. */
  hasCompleted(_response: any): boolean | Promise<boolean> {
    throw new LibcloudError("hasCompleted not implemented for this connection");
  }
}

/**
 * A polling connection with a single `key`: libcloud's `class C(PollingConnection, ConnectionKey)`,
 * which every JSON API with asynchronous jobs needs. TypeScript has no multiple inheritance, so it
 * is a PollingConnection that keeps the key as ConnectionKey does (not an `instanceof ConnectionKey`).
 */
export class PollingConnectionKey extends PollingConnection {
  /** The API key (non-enumerable: never printed by inspect or JSON). */
  declare key: string;

  constructor(key: string, options: ConnectionOptions = {}) {
    super(options);
    defineSecret(this, "key", key);
  }
}
