// Starts Microsoft's Azure Storage emulator (Azurite, blob service only) for tests, the demo and the
// benchmark: a free loopback port, a fresh temporary folder, stopped by its PID. Fails loudly.
import { join } from "node:path";
import { findUp, startChildServer } from "./child-server.js";

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's well-known development key (public, documented by Microsoft). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite blob service. */
export interface Azurite {
  host: string;
  port: number;
  account: string;
  key: string;
  /** `http://127.0.0.1:PORT/devstoreaccount1` */
  blobEndpoint: string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's blob service; rejects with its output if it does not answer within `timeoutMs`.
 * With `oauth`, it serves HTTPS with the test certificate and takes Azure AD bearer tokens
 * (`--oauth basic`: issuer, audience and lifetime are checked, not the signature).
 */
export async function startAzurite(options: { timeoutMs?: number; oauth?: boolean } = {}): Promise<Azurite> {
  const tls = (name: string): string => findUp(join("test", "fixtures", "tls", name), `test/fixtures/tls/${name} not found`);
  const binary = findUp(join("node_modules", "azurite", "dist", "src", "blob", "main.js"), "Azurite is not installed (node_modules/azurite): run `npm ci`");
  const { port, stop } = await startChildServer({
    name: "Azurite",
    folderPrefix: "libcloud-ts-azurite-",
    timeoutMs: options.timeoutMs ?? 20_000,
    args: (blobPort, location) => [
      binary, "--blobHost", "127.0.0.1", "--blobPort", String(blobPort), "--location", location,
      "--silent", "--skipApiVersionCheck", "--disableTelemetry",
      ...(options.oauth === true ? ["--oauth", "basic", "--cert", tls("server.pem"), "--key", tls("server.key")] : []),
    ],
  });
  return {
    host: "127.0.0.1", port, account: AZURITE_ACCOUNT, key: AZURITE_KEY,
    blobEndpoint: `${options.oauth === true ? "https" : "http"}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, stop,
  };
}
