// Constants and fixtures shared by the benchmark server, the clients and the runner.
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const MiB = 1024 * 1024;
/** 1 MiB of bytes 0..255 repeated: the storage cases' payload (the same pattern as bench/python/client.py). */
const BLOCK = Buffer.from(Uint8Array.from({ length: MiB }, (_, i) => i & 255));

/** The storage cases' upload source: `total` bytes of the 0..255 pattern, 1 MiB at a time. */
export function* payload(total: number): Generator<Buffer> {
  for (let left = total; left > 0; left -= BLOCK.length) yield left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
}

/** SHA-256 (hex) of `payload(total)`: what a round trip must bring back. */
export function payloadSha256(total: number): string {
  const hash = createHash("sha256");
  for (const piece of payload(total)) hash.update(piece);
  return hash.digest("hex");
}

/** Path of a file of the repository's test CA and certificates (test/fixtures/tls, from dist/bench). */
export function tlsFixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/tls/${name}`, import.meta.url));
}

/** Entries in the case-c listing. */
export const XML_ENTRIES = 1000;

/** A deterministic JSON document of about 1 KB, like a small API answer (one node's details). */
export function makeJsonBody(): string {
  const doc = {
    id: "i-0123456789abcdef0",
    name: "bench-node-1",
    state: "running",
    image: { id: "ami-0abcdef1234567890", name: "debian-12-amd64-20250101" },
    size: { id: "m5.large", ram: 8192, disk: 0, bandwidth: null, price: 0.096 },
    publicIps: ["203.0.113.10", "203.0.113.11"],
    privateIps: ["10.0.0.10"],
    created: "2025-01-01T10:00:00.000Z",
    extra: {
      availability: "eu-west-1a", keyName: "bench", securityGroups: ["default", "web", "ssh"],
      tags: { env: "bench", team: "libcloud-ts", owner: "ops", purpose: "measuring request overhead" },
      blockDevices: [{ device: "/dev/xvda", volumeId: "vol-0123456789abcdef0", size: 8, deleteOnTermination: true }],
      monitoring: "disabled", architecture: "x86_64", hypervisor: "xen", virtualizationType: "hvm",
      rootDeviceName: "/dev/xvda", ebsOptimized: false, sourceDestCheck: true, platform: null,
    },
  };
  let body = JSON.stringify(doc);
  // Pad to ~1 KB with a note field so every peer parses the same bytes.
  if (body.length < 1024) {
    doc.extra.tags.purpose += " ".repeat(1024 - body.length);
    body = JSON.stringify(doc);
  }
  return body;
}
