// Port of libcloud/common/base.py: PollingConnection.
import { LibcloudError, PollTimeoutError, type PollTimeoutDetails } from "../types.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { formatOrigin } from "../../http/libcloud-connection.js";
import { baseEvent, channels } from "../diagnostics.js";
import { connectionSecrets, redactHeaders, redactTarget, redactUrl, scrubSecrets, sensitiveDeclarations } from "../../utils/redact.js";
import { Connection, type ConnectionOptions, type RequestOptions, type ResponseOf } from "./connection.js";
import { defineSecret } from "./connection-key.js";
import type { HeaderInput, Params, RequestBody } from "./request-context.js";
import type { Response } from "./response.js";

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

/** What `getPollRequestOptions` is given: the first response, the context and the first request's options. */
export interface PollRequestArgs<R extends Response = Response> {
  /** The response to the request that started the job. */
  response: R;
  /** The context given to `asyncRequest`. */
  context: Record<string, unknown>;
  /** The options of the request that started the job. */
  requestOptions: PollRequestOptions;
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
    const firstResponse = response;
    let polls = 0;
    const pollOptions = await this.getPollRequestOptions({ response, context, requestOptions });
    const { action: pollAction, ...pollRest } = pollOptions;
    // A poll is a read: a transient failure of one poll is retried, never the request that started the job.
    const pollRequest = { retryFailed: true, ...pollRest, signal };
    const started = clock.now();
    const deadline = started + this.timeout;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      response = await send.call(this, pollAction, pollRequest);
      let completed: boolean;
      try {
        completed = await this.hasCompleted(response);
      } catch (error) {
        // A failed job (JobFailedError) is a poll's outcome too.
        if (channels.poll.hasSubscribers) this.#publishPoll(pollOptions, response, polls + 1, clock.now() - started, false, error);
        throw error;
      }
      polls++;
      if (channels.poll.hasSubscribers) this.#publishPoll(pollOptions, response, polls, clock.now() - started, completed);
      if (completed) return response;
      if (clock.now() + this.pollInterval > deadline) {
        throw new PollTimeoutError(`Job did not complete in ${this.timeout / 1000} seconds`, {
          ...this.#pollDetails(response, pollAction, pollRest.method ?? "GET", await this.getJobId({ response, firstResponse, context, requestOptions })),
          polls, timeoutMs: this.timeout, driver: this.driver,
        });
      }
      await clock.sleep(this.pollInterval, signal);
    }
  }

  /**
   * The job id for a {@link PollTimeoutError}, so the job can be found again (override for your API).
   * @defaultValue the first response's `Location` header, else undefined
   */
  getJobId(args: { response: Response; firstResponse: Response; context: Record<string, unknown>; requestOptions: PollRequestOptions }): string | undefined | Promise<string | undefined> {
    const headers = args.firstResponse.headers;
    return typeof headers?.["location"] === "string" ? headers["location"] : undefined;
  }

  /** Publishes a `libcloud-ts:request:poll` event (redacted). */
  #publishPoll(pollOptions: PollRequestOptions, response: unknown, polls: number, durationMs: number, completed: boolean, error?: unknown): void {
    const origin = formatOrigin(this.secure, this.host, this.port);
    const status = (response as { status?: unknown } | undefined)?.status;
    channels.poll.publish({
      ...baseEvent(pollOptions, this, (pollOptions.method ?? "GET").toUpperCase(), `${origin}${pollOptions.action}`, polls),
      status: typeof status === "number" ? status : undefined,
      durationMs,
      completed,
      ...(error === undefined ? {} : { error }),
    });
  }

  /** The details of a poll timeout, with every credential the connection knows left out. */
  #pollDetails(response: unknown, action: string, method: string, jobId: string | undefined): PollTimeoutDetails {
    const secrets = connectionSecrets(this);
    const declared = sensitiveDeclarations(this);
    const status = (response as { status?: unknown } | undefined)?.status;
    const headers = (response as { headers?: Record<string, string> } | undefined)?.headers ?? {};
    const lastHeaders = redactHeaders(headers, declared.headers, new Set(secrets));
    for (const name of Object.keys(lastHeaders)) lastHeaders[name] = scrubSecrets(redactUrl(lastHeaders[name]!), secrets);
    return {
      action: scrubSecrets(redactTarget(action, declared.params, new Set(secrets)), secrets),
      method,
      jobId: jobId === undefined ? undefined : scrubSecrets(redactUrl(jobId), secrets),
      lastStatus: typeof status === "number" ? status : undefined,
      lastHeaders,
    };
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
