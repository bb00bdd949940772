// Port of libcloud/common/base.py: PollingConnection.
import { LibcloudError, PollTimeoutError } from "../types.js";
import { abortReason, getClock } from "../../utils/clock.js";
import { formatOrigin } from "../../http/libcloud-connection.js";
import { baseEvent, channels } from "../diagnostics.js";
import { connectionSecrets, redactHeaders, redactTarget, redactUrl, scrubSecrets, sensitiveDeclarations } from "../../utils/redact.js";
import { Connection } from "./connection.js";
import { defineSecret } from "./connection-key.js";
/**
 * A connection for asynchronous APIs (`libcloud.common.base.PollingConnection`): the first request
 * starts a job, then the job is polled every `pollInterval` ms until `hasCompleted` says so or
 * `timeout` ms pass.
 */
export class PollingConnection extends Connection {
    /** How long polling may take in all, in ms (libcloud's `timeout` of a PollingConnection). @defaultValue 200000 */
    static timeout = 200_000;
    /** Time between polls in ms. @defaultValue 500 */
    static pollInterval = 500;
    /** The method that sends each request. @defaultValue "request" */
    static requestMethod = "request";
    /** The effective time between polls in ms. */
    pollInterval;
    /** The effective name of the method that sends each request. */
    requestMethod;
    constructor(...args) {
        super(...args);
        const cls = this.constructor;
        this.pollInterval = cls.pollInterval;
        this.requestMethod = cls.requestMethod;
    }
    /**
     * Starts a job and polls it until it completes; returns the last poll's response. Throws
     * PollTimeoutError ("Job did not complete in N seconds") after `timeout`; a typed error thrown by
     * `hasCompleted` (a failed job) ends polling at once; an abort rejects with the signal's reason.
     * `T` is the type of the last response's `object`, as in `request<T>()`.
     */
    async asyncRequest(action, options = {}) {
        const { context = {}, signal, ...rest } = options;
        const send = this[this.requestMethod];
        if (typeof send !== "function")
            throw new LibcloudError(`requestMethod "${this.requestMethod}" is not a method of ${this.constructor.name}`);
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
            if (signal?.aborted)
                throw abortReason(signal);
            response = await send.call(this, pollAction, pollRequest);
            let completed;
            try {
                completed = await this.hasCompleted(response);
            }
            catch (error) {
                // A failed job (JobFailedError) is a poll's outcome too.
                if (channels.poll.hasSubscribers)
                    this.#publishPoll(pollOptions, response, polls + 1, clock.now() - started, false, error);
                throw error;
            }
            polls++;
            if (channels.poll.hasSubscribers)
                this.#publishPoll(pollOptions, response, polls, clock.now() - started, completed);
            if (completed)
                return response;
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
    getJobId(args) {
        const headers = args.firstResponse.headers;
        return typeof headers?.["location"] === "string" ? headers["location"] : undefined;
    }
    /** Publishes a `libcloud-ts:request:poll` event (redacted). */
    #publishPoll(pollOptions, response, polls, durationMs, completed, error) {
        const origin = formatOrigin(this.secure, this.host, this.port);
        const status = response?.status;
        channels.poll.publish({
            ...baseEvent(pollOptions, this, (pollOptions.method ?? "GET").toUpperCase(), `${origin}${pollOptions.action}`, polls),
            status: typeof status === "number" ? status : undefined,
            durationMs,
            completed,
            ...(error === undefined ? {} : { error }),
        });
    }
    /** The details of a poll timeout, with every credential the connection knows left out. */
    #pollDetails(response, action, method, jobId) {
        const secrets = connectionSecrets(this);
        const declared = sensitiveDeclarations(this);
        const status = response?.status;
        const headers = response?.headers ?? {};
        const lastHeaders = redactHeaders(headers, declared.headers, new Set(secrets));
        for (const name of Object.keys(lastHeaders))
            lastHeaders[name] = scrubSecrets(redactUrl(lastHeaders[name]), secrets);
        return {
            action: scrubSecrets(redactTarget(action, declared.params, new Set(secrets)), secrets),
            method,
            jobId: jobId === undefined ? undefined : scrubSecrets(redactUrl(jobId), secrets),
            lastStatus: typeof status === "number" ? status : undefined,
            lastHeaders,
        };
    }
    /** The first request's options (`get_request_kwargs`): the arguments as given. */
    getRequestOptions(options) {
        const { context: _context, ...rest } = options;
        return rest;
    }
    /** The poll requests' options (`get_poll_request_kwargs`). Subclasses must implement it. */
    getPollRequestOptions(_args) {
        throw new LibcloudError("getPollRequestOptions not implemented for this connection");
    }
    /** Whether the job has completed; may throw a typed error for a failed job. Subclasses must implement it. */
    hasCompleted(_response) {
        throw new LibcloudError("hasCompleted not implemented for this connection");
    }
}
/**
 * A polling connection with a single `key`: libcloud's `class C(PollingConnection, ConnectionKey)`,
 * which every JSON API with asynchronous jobs needs. TypeScript has no multiple inheritance, so it
 * is a PollingConnection that keeps the key as ConnectionKey does (not an `instanceof ConnectionKey`).
 */
export class PollingConnectionKey extends PollingConnection {
    constructor(key, options = {}) {
        super(options);
        defineSecret(this, "key", key);
    }
}
