// Port of libcloud's module-wide switches: they live in src/common/settings.ts, below the base and
// the transport (which reads them too); kept here so imports of the old path still resolve.
export { envFlag, retryFailedByDefault, settings } from "../settings.js";
export type { Settings } from "../settings.js";
