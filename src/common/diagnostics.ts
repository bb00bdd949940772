// libcloud-ts's own (libcloud has none): request lifecycle events on node:diagnostics_channel, the
// way undici publishes its own, so OpenTelemetry or any logger can trace drivers without the debug
// log. Nothing is computed unless a channel has a subscriber.
import diagnosticsChannel from "node:diagnostics_channel";
import { connectionSecrets, redactUrl, scrubSecrets } from "../utils/redact.js";

/** The channel names, as `diagnostics_channel.subscribe(name, fn)` takes them. */
export const DIAGNOSTICS_CHANNELS = {
  /** Before each attempt is sent. */
  start: "libcloud-ts:request:start",
  /** An attempt got a successful response (buffered: parsed; raw: headers received). */
  response: "libcloud-ts:request:response",
  /** An attempt failed: an HTTP error status, a transport error, a parse error. */
  error: "libcloud-ts:request:error",
  /** A failed attempt is about to be retried, after `delayMs`. */
  retry: "libcloud-ts:request:retry",
  /** A `PollingConnection` poll got its response. */
  poll: "libcloud-ts:request:poll",
} as const;

/** What every event carries. */
export interface RequestEvent {
  /** The same for every event of one `request()` (its attempts and retries) or one `asyncRequest()`'s polls. */
  id: number;
  /** The driver's class name, when the connection belongs to a driver. */
  driver: string | undefined;
  /** The connection's class name. */
  connection: string;
  /** The HTTP method. */
  method: string;
  /** The URL, redacted (no userinfo, query values off the allowlist and the connection's secrets replaced). */
  url: string;
  /** The attempt (1 for the first); for a poll event, the poll's number. */
  attempt: number;
}

/** `libcloud-ts:request:response` */
export interface RequestResponseEvent extends RequestEvent {
  /** The HTTP status of the response. */
  status: number;
  /** Time of this attempt, in ms. */
  durationMs: number;
}

/** `libcloud-ts:request:error` */
export interface RequestErrorEvent extends RequestEvent {
  /** The error the attempt failed with. */
  error: unknown;
  /** The HTTP status, when the error comes from one. */
  status: number | undefined;
  /** Time of this attempt, in ms. */
  durationMs: number;
}

/** `libcloud-ts:request:retry` */
export interface RequestRetryEvent extends RequestEvent {
  /** The error that is being retried. */
  error: unknown;
  /** The HTTP status, when the error comes from one. */
  status: number | undefined;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
}

/** `libcloud-ts:request:poll` */
export interface PollEvent extends RequestEvent {
  /** The HTTP status of the poll's response, if it got one. */
  status: number | undefined;
  /** Time since the job was started, in ms. */
  durationMs: number;
  /** Whether `hasCompleted` said the job is done. */
  completed: boolean;
  /** What `hasCompleted` threw (a failed job's `JobFailedError`), when it threw. */
  error?: unknown;
}

/** The channels (module singletons: `hasSubscribers` is the only cost when nobody listens). @internal */
export const channels = {
  start: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.start),
  response: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.response),
  error: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.error),
  retry: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.retry),
  poll: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.poll),
};

/** Whether anyone listens to the per-attempt channels. @internal */
export function tracingAttempts(): boolean {
  return channels.start.hasSubscribers || channels.response.hasSubscribers || channels.error.hasSubscribers;
}

let lastId = 0;
const ids = new WeakMap<object, number>();

/** The event id of a request (or a polling job), by its object. @internal */
export function eventId(key: object): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ++lastId;
    ids.set(key, id);
  }
  return id;
}

/** The fields every event has, for a connection and a URL (origin + target), redacted. @internal */
export function baseEvent(key: object, connection: { constructor: { name: string }; driver?: unknown }, method: string, url: string, attempt: number): RequestEvent {
  const driver = connection.driver as { constructor?: { name?: unknown } } | null | undefined;
  const driverName = driver?.constructor?.name;
  return {
    id: eventId(key),
    driver: typeof driverName === "string" ? driverName : undefined,
    connection: connection.constructor.name,
    method,
    url: scrubSecrets(redactUrl(url), connectionSecrets(connection)),
    attempt,
  };
}

/** The HTTP status an error comes from, if any. @internal */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
