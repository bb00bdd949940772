// The one place that reads time and sets timers. Retry and polling take their clock from here,
// so tests drive them with a fake clock instead of sleeping.

/** Time as retry and polling see it. */
export interface Clock {
  /** Monotonic milliseconds (never jumps with the wall clock). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
  /** Wall-clock time, ms since the epoch (request signing); unset, `Date.now()`. */
  date?(): number;
}

/** The abort reason of a signal, as an Error (`AbortError` when the signal gave none). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** The real clock: performance.now(), setTimeout, Math.random. */
export const systemClock: Clock = {
  now: () => performance.now(),
  random: () => Math.random(),
  date: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

let current: Clock = systemClock;

/** The clock in use. */
export function getClock(): Clock {
  return current;
}

/** Installs a clock (tests); returns a function that restores the previous one. */
export function setClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}
