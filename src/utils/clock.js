// The one place that reads time and sets timers. Retry and polling take their clock from here,
// so tests drive them with a fake clock instead of sleeping.
/** The abort reason of a signal, as an Error (`AbortError` when the signal gave none). */
export function abortReason(signal) {
    return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}
/** The real clock: performance.now(), setTimeout, Math.random. */
export const systemClock = {
    now: () => performance.now(),
    random: () => Math.random(),
    sleep(ms, signal) {
        if (signal?.aborted)
            return Promise.reject(abortReason(signal));
        if (ms <= 0)
            return Promise.resolve();
        return new Promise((resolve, reject) => {
            const onAbort = () => {
                clearTimeout(timer);
                reject(abortReason(signal));
            };
            const timer = setTimeout(() => {
                signal?.removeEventListener("abort", onAbort);
                resolve();
            }, ms);
            signal?.addEventListener("abort", onAbort, { once: true });
        });
    },
};
let current = systemClock;
/** The clock in use. */
export function getClock() {
    return current;
}
/** Installs a clock (tests); returns a function that restores the previous one. */
export function setClock(clock) {
    const previous = current;
    current = clock;
    return () => {
        current = previous;
    };
}
/**
 * One timer for a deadline that moves, as a transport's idle timeouts do (every body chunk pushes
 * it later). Moving it later costs a number store: the timer, when it fires early, re-arms itself
 * for what is left; only a deadline moved earlier resets the timer. Real time always (transport
 * deadlines are not driven by an installed fake clock); `onExpire` runs at most once per `setAt`.
 */
export class Deadline {
    /** When the deadline falls (performance.now() time); Infinity when disarmed. */
    #at = Infinity;
    /** When the timer in flight fires; Infinity when none is. */
    #firesAt = Infinity;
    #timer = undefined;
    #onExpire;
    constructor(onExpire) {
        this.#onExpire = onExpire;
    }
    /** When the deadline falls, or Infinity. */
    get at() {
        return this.#at;
    }
    /** Sets the deadline to the time `at` (performance.now() time). */
    setAt(at) {
        this.#at = at;
        if (at === Infinity)
            return;
        // A timer that fires sooner re-arms itself for the rest: nothing to do now.
        if (this.#firesAt <= at)
            return;
        this.#schedule(at, performance.now());
    }
    /** Disarms the deadline and releases its timer. */
    clear() {
        this.#at = Infinity;
        this.#firesAt = Infinity;
        if (this.#timer !== undefined) {
            clearTimeout(this.#timer);
            this.#timer = undefined;
        }
    }
    #schedule(at, now) {
        if (this.#timer !== undefined)
            clearTimeout(this.#timer);
        this.#firesAt = at;
        // A delay past 2^31 − 1 ms would fire at once: wait the most a timer holds, then re-arm.
        this.#timer = setTimeout(fireDeadline, Math.min(2 ** 31 - 1, Math.max(1, Math.ceil(at - now))), this);
    }
    /** The timer fired: expire, or re-arm for what is left. @internal */
    fire() {
        this.#timer = undefined;
        this.#firesAt = Infinity;
        const at = this.#at;
        if (at === Infinity)
            return;
        const now = performance.now();
        // Node's timers may fire up to a millisecond before performance.now() says.
        if (at - now > 1) {
            this.#schedule(at, now);
            return;
        }
        this.#at = Infinity;
        this.#onExpire();
    }
}
/** One function for every Deadline's timer (no closure per deadline). */
function fireDeadline(deadline) {
    deadline.fire();
}
/** performance.now(), for code that measures against a {@link Deadline}. */
export function monotonicNow() {
    return performance.now();
}
