// Port of libcloud/common/base.py: PollingConnection.
import { LibcloudError, PollTimeoutError } from "../types.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { Connection, type RequestOptions, type ResponseOf } from "./connection.js";
import type { HeaderInput, Params, RequestBody } from "./request-context.js";
import type { Response } from "./response.js";

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

/** What `getPollRequestOptions` is given: the first response, the context and the first request's options. */
export interface PollRequestArgs<R extends Response = Response> {
  response: R;
  context: Record<string, unknown>;
  requestOptions: PollRequestOptions;
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
   * `T` is the type of the last response's `object`, as in `request<T>()`.
   */
  async asyncRequest<T = unknown>(action: string, options: AsyncRequestOptions = {}): Promise<ResponseOf<this, T>> {
    const { context = {}, signal, ...rest } = options;
    const send = (this as unknown as Record<string, unknown>)[this.requestMethod] as
      ((action: string, options: RequestOptions) => Promise<ResponseOf<this, T>>) | undefined;
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
  getPollRequestOptions(_args: PollRequestArgs): PollRequestOptions | Promise<PollRequestOptions> {
    throw new LibcloudError("getPollRequestOptions not implemented for this connection");
  }

  /** Whether the job has completed; may throw a typed error for a failed job. Subclasses must implement it. */
  hasCompleted(_response: Response): boolean | Promise<boolean> {
    throw new LibcloudError("hasCompleted not implemented for this connection");
  }
}
