// Port of libcloud/common/base.py: PollingConnection.
import { LibcloudError, PollTimeoutError } from "../types.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { Connection, type RequestOptions } from "./connection.js";
import type { HeaderInput, Params, RequestBody } from "./request-context.js";

/** What `asyncRequest` takes. */
export interface AsyncRequestOptions {
  /** Query parameters of the first request. */
  params?: Params | undefined;
  /** Body of the first request. */
  data?: RequestBody;
  /** Headers of the first request. */
  headers?: HeaderInput | undefined;
  /** Method of the first request. @defaultValue "GET" */
  method?: string | undefined;
  /** Passed to getRequestOptions and getPollRequestOptions. */
  context?: Record<string, unknown> | undefined;
  /** Cancels the first request, the polls and the sleeps between them. */
  signal?: AbortSignal | undefined;
}

/** A request to make: its action and the rest of `request()`'s options. */
export interface PollRequestOptions extends RequestOptions {
  /** The path of the request. */
  action: string;
}

/**
 * A connection for asynchronous APIs (`libcloud.common.base.PollingConnection`): the first request
 * starts a job, then the job is polled every `pollInterval` ms until `hasCompleted` says so or
 * `timeout` ms pass.
 */
export class PollingConnection extends Connection {
  /** How long polling may take in all, in ms (libcloud's `timeout` of a PollingConnection). @defaultValue 200000 */
  static override timeout = 200_000;
  /** Time between polls in ms. @defaultValue 500 */
  static pollInterval = 500;
  /** The method that sends each request. @defaultValue "request" */
  static requestMethod = "request";

  /** The effective time between polls in ms. */
  pollInterval: number;
  /** The effective name of the method that sends each request. */
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
