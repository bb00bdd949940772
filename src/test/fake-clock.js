import { abortReason } from "../utils/clock.js";
/** A fake monotonic clock. Install it with `setClock(clock)` (returns the restore function). */
export class FakeClock {
    /** Every sleep asked for, in ms, in order. */
    sleeps = [];
    #now;
    #auto;
    #random;
    #sleepers = [];
    /**
     * @param options.auto - sleeps complete at once, moving time forward (default true); when false
     *   they wait for advance().
     * @param options.random - the jitter source. @defaultValue () => 0 (no jitter)
     */
    constructor(options = {}) {
        this.#now = options.start ?? 0;
        this.#auto = options.auto ?? true;
        this.#random = options.random ?? (() => 0);
    }
    now() {
        return this.#now;
    }
    random() {
        return this.#random();
    }
    sleep(ms, signal) {
        this.sleeps.push(ms);
        if (signal?.aborted)
            return Promise.reject(abortReason(signal));
        if (this.#auto) {
            this.#now += Math.max(0, ms);
            return Promise.resolve();
        }
        return new Promise((resolve, reject) => {
            const sleeper = {
                until: this.#now + Math.max(0, ms),
                resolve,
                reject,
                signal,
                onAbort: () => {
                    this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
                    reject(abortReason(signal));
                },
            };
            signal?.addEventListener("abort", sleeper.onAbort, { once: true });
            this.#sleepers.push(sleeper);
        });
    }
    /** Number of sleeps waiting (manual mode). */
    get pending() {
        return this.#sleepers.length;
    }
    /** Moves time forward and wakes the sleeps that are due. */
    advance(ms) {
        this.#now += ms;
        const due = this.#sleepers.filter((s) => s.until <= this.#now);
        this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
        for (const s of due) {
            s.signal?.removeEventListener("abort", s.onAbort);
            s.resolve();
        }
    }
}
