// A clock for tests of retry and polling: time moves only when a sleep asks it to (auto mode) or
// when the test calls advance() (manual mode), so no test sleeps for real.
import type { Clock } from "../utils/clock.js";
import { abortReason } from "../utils/clock.js";

interface Sleeper {
  until: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** A fake monotonic clock. Install it with `setClock(clock)` (returns the restore function). */
export class FakeClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  #now: number;
  readonly #auto: boolean;
  #random: () => number;
  #sleepers: Sleeper[] = [];

  /**
   * @param options.auto - sleeps complete at once, moving time forward (default true); when false
   *   they wait for advance().
   * @param options.random - the jitter source. @defaultValue () => 0 (no jitter)
   */
  constructor(options: { start?: number; auto?: boolean; random?: () => number } = {}) {
    this.#now = options.start ?? 0;
    this.#auto = options.auto ?? true;
    this.#random = options.random ?? (() => 0);
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return this.#random();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#auto) {
      this.#now += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.#now + Math.max(0, ms),
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(abortReason(signal!));
        },
      };
      signal?.addEventListener("abort", sleeper.onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Number of sleeps waiting (manual mode). */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward and wakes the sleeps that are due. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const s of due) {
      s.signal?.removeEventListener("abort", s.onAbort);
      s.resolve();
    }
  }
}
