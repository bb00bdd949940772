// A real S3 protocol server for tests, the demo and the benchmark: s3rver 3.7.1 in a child process
// (with --openssl-legacy-provider: its ListObjectsV2 continuation tokens use DES) on a free
// loopback port with a fresh temporary folder, stopped by its PID. s3rver does not check
// signatures, so a loopback front verifies each request's SigV4 signature with AWS's own signer
// (@smithy/signature-v4) and the known secret, and forwards only valid ones.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { findUp, startChildServer } from "./child-server.js";
import { verifySigV4 } from "./sigv4-verify.js";

/** The test credentials (not AWS's: any pair works, the front checks this one). */
export const S3_TEST_KEY = "S3RVER"; // s3rver checks that the key id is its own, never the signature
export const S3_TEST_SECRET = "s3rver/test+Secret/0123456789abcdefghijkl";

/** A running s3rver, with its verifying front. */
export interface S3rver {
  host: string;
  /** The verifying front's port (use this one). */
  port: number;
  /** s3rver's own port (no signature check). */
  directPort: number;
  key: string;
  secret: string;
  /** Requests the front refused, with why. */
  refused: Array<{ method: string; url: string; code: string }>;
  /** Every request the front saw (method, raw target and Host header). */
  seen: Array<{ method: string; url: string; host: string | undefined }>;
  /** Stops the front and the process (SIGTERM, then SIGKILL), removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** Options of startS3rver. */
export interface S3rverOptions {
  /** How long s3rver may take to answer. @defaultValue 20000 */
  timeoutMs?: number;
  /** Verify every request's SigV4 signature in the front. @defaultValue true */
  verify?: boolean;
  /** Refuse, as S3 does (AuthorizationHeaderMalformed), a signature whose credential scope names another region. */
  region?: string;
  /**
   * s3rver's own "vhost buckets" (any host that is neither an IP nor localhost names the bucket, as
   * a CNAME would): false passes `--no-vhost-buckets`, so a custom endpoint's host is addressed
   * path-style as MinIO or Ceph would. `<bucket>.s3[.<region>].amazonaws.com` hosts are always
   * virtual-hosted. @defaultValue true (s3rver's default)
   */
  vhostBuckets?: boolean;
}

function credentialRegion(authorization: string | undefined, url: string): string | undefined {
  const scope = /Credential=([^,\s]+)/.exec(authorization ?? "")?.[1] ?? decodeURIComponent(/[?&]X-Amz-Credential=([^&]+)/.exec(url)?.[1] ?? "");
  return scope.split("/")[2];
}

/** Starts s3rver and its verifying front; rejects with s3rver's output if it does not answer within `timeoutMs`. */
export async function startS3rver(options: S3rverOptions = {}): Promise<S3rver> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const verify = options.verify ?? true;
  const binary = findUp(join("node_modules", "s3rver", "bin", "s3rver.js"), "s3rver is not installed (node_modules/s3rver): run `npm ci`");
  const server = await startChildServer({
    name: "s3rver",
    folderPrefix: "libcloud-ts-s3rver-",
    timeoutMs,
    args: (port, directory) => [
      "--openssl-legacy-provider", binary, "-d", directory, "-a", "127.0.0.1", "-p", String(port), "-s",
      ...(options.vhostBuckets === false ? ["--no-vhost-buckets"] : []),
    ],
  });
  const directPort = server.port;
  const refused: S3rver["refused"] = [];
  const seen: S3rver["seen"] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const sha = createHash("sha256");
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      sha.update(c);
    });
    req.on("end", () => {
      void (async () => {
        const method = req.method ?? "GET";
        const url = req.url ?? "/";
        seen.push({ method, url, host: req.headers.host });
        const region = credentialRegion(req.headers.authorization, url);
        if (options.region !== undefined && region !== undefined && region !== options.region) {
          refused.push({ method, url, code: "AuthorizationHeaderMalformed" });
          const body = method === "HEAD" ? "" : xmlError("AuthorizationHeaderMalformed", `the region '${region}' is wrong; expecting '${options.region}'`)
            .replace("</Error>", `<Region>${options.region}</Region></Error>`);
          res.writeHead(400, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) }).end(body);
          return;
        }
        if (verify) {
          const verdict = await verifySigV4({ method, url, headers: req.headers }, { accessKeyId: S3_TEST_KEY, secretAccessKey: S3_TEST_SECRET }, { now: new Date() });
          const declared = req.headers["x-amz-content-sha256"];
          const hashOk = declared === undefined || declared === "UNSIGNED-PAYLOAD" || declared === sha.digest("hex");
          if (!verdict.ok || !hashOk) {
            const code = verdict.ok ? "XAmzContentSHA256Mismatch" : verdict.code;
            refused.push({ method, url, code });
            const status = code === "XAmzContentSHA256Mismatch" ? 400 : 403;
            const body = method === "HEAD" ? "" : xmlError(code, verdict.ok ? "The provided 'x-amz-content-sha256' header does not match what was computed." : verdict.reason);
            res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) }).end(body);
            return;
          }
        }
        const upstream = http.request({ host: "127.0.0.1", port: directPort, method, path: url, headers: req.headers, agent }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on("error", (err) => {
          if (!res.headersSent) res.writeHead(502);
          res.end(String(err));
        });
        upstream.end(Buffer.concat(chunks));
      })();
    });
  });
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
  const port = (front.address() as AddressInfo).port;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    front.closeAllConnections();
    await new Promise<void>((r) => front.close(() => r()));
    agent.destroy();
    await server.stop();
  };
  return { host: "127.0.0.1", port, directPort, key: S3_TEST_KEY, secret: S3_TEST_SECRET, refused, seen, stop };
}
