// The transport's bound on making a socket: TCP connect, TLS, a proxy's CONNECT and the TLS inside
// the tunnel are one wait, timed by one timer of our own per attempt (undici's connect timer is
// coarse, ±500 ms, and its CONNECT waits on a 300 s headers timeout), and every attempt in
// progress can be stopped at once, so close() leaves no socket or handshake behind.
import { errors as undiciErrors } from "undici";
import { Deadline, monotonicNow } from "../utils/clock.js";
/** The connect attempts of one transport, each bounded in time and all stoppable at once. */
export class ConnectAttempts {
    #pending = new Set();
    /**
     * Wraps `inner` so that each attempt fails with undici's ConnectTimeoutError after `timeoutMs`
     * (the socket destroyed, a CONNECT in flight aborted through the `signal` undici's tunnel
     * passes on to the proxy's pool).
     */
    bound(inner, timeoutMs) {
        return (opts, callback) => {
            let settled = false;
            const controller = new AbortController();
            let made;
            const stop = (error) => {
                if (settled)
                    return;
                settled = true;
                deadline.clear();
                this.#pending.delete(stop);
                controller.abort(error);
                if (typeof made?.destroy === "function")
                    made.destroy();
                callback(error, null);
            };
            const deadline = new Deadline(() => stop(new undiciErrors.ConnectTimeoutError(`Connect Timeout Error (attempted ${opts.hostname}:${opts.port}, timeout ${timeoutMs} ms)`)));
            deadline.setAt(monotonicNow() + timeoutMs);
            this.#pending.add(stop);
            const withSignal = { ...opts, signal: controller.signal };
            const result = inner(withSignal, (error, socket) => {
                if (settled) {
                    socket?.destroy();
                    return;
                }
                settled = true;
                deadline.clear();
                this.#pending.delete(stop);
                if (error === null)
                    callback(null, socket);
                else
                    callback(error, null);
            });
            if (result !== null && typeof result === "object")
                made = result;
            return result;
        };
    }
    /** Attempts in progress. */
    get size() {
        return this.#pending.size;
    }
    /** Stops every attempt in progress now, failing each with `error`. */
    stopAll(error) {
        for (const stop of [...this.#pending])
            stop(error);
    }
}
/** The abort signal a bounded attempt hands to its connector (undici's tunnel passes it to CONNECT). */
export function attemptSignal(options) {
    const signal = options?.signal;
    return signal instanceof AbortSignal ? signal : undefined;
}
