// Experiment for bench/profile-e.ts only (`--import` into a client process, never used by the
// runner): MD5 made free, to measure what the driver's two MD5 passes (each part's Content-MD5,
// the whole object's) cost the round trip. Every `createHash("md5")` in the process returns a hash
// that does nothing and digests to zeros; s3rver and the profile's sink check neither value.
import type { Hash } from "node:crypto";
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const crypto = require("node:crypto") as typeof import("node:crypto");
const real = crypto.createHash;

function freeMd5(): Hash {
  const hash = {
    update: () => hash,
    digest: (encoding?: BufferEncoding) => (encoding === undefined ? Buffer.alloc(16) : Buffer.alloc(16).toString(encoding)),
    copy: () => freeMd5(),
  };
  return hash as unknown as Hash;
}

crypto.createHash = ((algorithm: string, options?: import("node:crypto").HashOptions) =>
  algorithm.toLowerCase() === "md5" ? freeMd5() : real(algorithm, options));
// ESM `import { createHash } from "node:crypto"` bindings follow the CommonJS export only after this.
syncBuiltinESMExports();
