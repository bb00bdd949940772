// Experiment for bench/profile-e.ts only (`--import` into a client process, never used by the
// runner): AsyncLocalStorage scopes made inert (`run()` just calls its function, nothing is
// stored), so Node 20's async hooks never switch on: what the request scope costs the S3 round
// trip. Valid only because the S3 connection's hooks are synchronous and get their request as an
// argument; the round trip's SHA-256 check still guards the result.
import { AsyncLocalStorage } from "node:async_hooks";

AsyncLocalStorage.prototype.run = function run<R, TArgs extends unknown[]>(_store: unknown, callback: (...args: TArgs) => R, ...args: TArgs): R {
  return callback(...args);
};
