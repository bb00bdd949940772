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
};
/** The channels (module singletons: `hasSubscribers` is the only cost when nobody listens). @internal */
export const channels = {
    start: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.start),
    response: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.response),
    error: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.error),
    retry: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.retry),
    poll: diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.poll),
};
/** Whether anyone listens to the per-attempt channels. @internal */
export function tracingAttempts() {
    return channels.start.hasSubscribers || channels.response.hasSubscribers || channels.error.hasSubscribers;
}
let lastId = 0;
const ids = new WeakMap();
/** The event id of a request (or a polling job), by its object. @internal */
export function eventId(key) {
    let id = ids.get(key);
    if (id === undefined) {
        id = ++lastId;
        ids.set(key, id);
    }
    return id;
}
/** The fields every event has, for a connection and a URL (origin + target), redacted. @internal */
export function baseEvent(key, connection, method, url, attempt) {
    const driver = connection.driver;
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
export function statusOf(error) {
    const status = error?.statusCode;
    return typeof status === "number" ? status : undefined;
}
