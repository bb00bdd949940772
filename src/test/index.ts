// libcloud-ts/test: tools for driver tests. Explicit re-exports only.
export { FakeClock } from "./fake-clock.js";
