// Constants and fixtures shared by the benchmark server, the clients and the runner.

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
