// The transport's bound on making a socket: TCP connect, TLS, a proxy's CONNECT and the TLS inside
// the tunnel are one wait, timed by one timer of our own per attempt (undici's connect timer is
// coarse, ±500 ms, and its CONNECT waits on a 300 s headers timeout), and every attempt in
// progress can be stopped at once, so close() leaves no socket or handshake behind.
import { errors as undiciErrors, type buildConnector } from "undici";
import { Deadline, monotonicNow } from "../utils/clock.js";

/** An undici connector: `(options, callback)`, returning the socket it makes when it makes one. */
export type Connector = buildConnector.connector;

type ConnectorOptions = Parameters<Connector>[0];

/** The connect attempts of one transport, each bounded in time and all stoppable at once. */
export class ConnectAttempts {
  readonly #pending = new Set<(error: Error) => void>();

  /**
   * Wraps `inner` so that each attempt fails with undici's ConnectTimeoutError after `timeoutMs`
   * (the socket destroyed, a CONNECT in flight aborted through the `signal` undici's tunnel
   * passes on to the proxy's pool).
   */
  bound(inner: Connector, timeoutMs: number): Connector {
    return (opts, callback) => {
      let settled = false;
      const controller = new AbortController();
      let made: { destroy?: unknown } | undefined;
      const stop = (error: Error): void => {
        if (settled) return;
        settled = true;
        deadline.clear();
        this.#pending.delete(stop);
        controller.abort(error);
        if (typeof made?.destroy === "function") (made as { destroy(): void }).destroy();
        callback(error, null);
      };
      const deadline = new Deadline(() => stop(new undiciErrors.ConnectTimeoutError(
        `Connect Timeout Error (attempted ${opts.hostname}:${opts.port}, timeout ${timeoutMs} ms)`,
      )));
      deadline.setAt(monotonicNow() + timeoutMs);
      this.#pending.add(stop);
      const withSignal = { ...opts, signal: controller.signal } as ConnectorOptions;
      const result: unknown = inner(withSignal, (error, socket) => {
        if (settled) {
          socket?.destroy();
          return;
        }
        settled = true;
        deadline.clear();
        this.#pending.delete(stop);
        if (error === null) callback(null, socket);
        else callback(error, null);
      });
      if (result !== null && typeof result === "object") made = result;
      return result as undefined;
    };
  }

  /** Attempts in progress. */
  get size(): number {
    return this.#pending.size;
  }

  /** Stops every attempt in progress now, failing each with `error`. */
  stopAll(error: Error): void {
    for (const stop of [...this.#pending]) stop(error);
  }
}

/** The abort signal a bounded attempt hands to its connector (undici's tunnel passes it to CONNECT). */
export function attemptSignal(options: unknown): AbortSignal | undefined {
  const signal = (options as { signal?: unknown } | null)?.signal;
  return signal instanceof AbortSignal ? signal : undefined;
}
