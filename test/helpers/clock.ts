// A fake clock installed for each test of a file (retry and polling tests never sleep for real).
import { afterEach, beforeEach } from "node:test";
import { setClock } from "../../src/utils/clock.js";
import { FakeClock } from "../../src/test/index.js";

/** The clock of the running test; `use()` swaps in another one (e.g. manual mode) for that test. */
export interface FakeClockSlot {
  readonly clock: FakeClock;
  use(options?: ConstructorParameters<typeof FakeClock>[0]): FakeClock;
}

/** Installs a fresh auto-advancing FakeClock before each test of the file and restores the real one after. */
export function fakeClockEachTest(): FakeClockSlot {
  let clock = new FakeClock();
  let restore: (() => void) | undefined;
  const slot: FakeClockSlot = {
    get clock() {
      return clock;
    },
    use(options) {
      restore?.();
      clock = new FakeClock(options);
      restore = setClock(clock);
      return clock;
    },
  };
  beforeEach(() => void slot.use());
  afterEach(() => {
    restore?.();
    restore = undefined;
  });
  return slot;
}
