// A small S3-like loopback server for the upload engine's tests: what s3rver cannot show (it
// answers AbortMultipartUpload 405 and has no ListMultipartUploads). Path-style, one bucket,
// Content-MD5 and x-amz-content-sha256 checked like S3, multipart uploads held until completed
// or aborted and listed by `GET /<bucket>?uploads`; a fault hook may answer, stall or drop any request.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What the fault hook is shown of a request. */
export interface FakeS3Request {
  method: string;
  url: URL;
  body: Buffer;
  /** Part number of an UploadPart, else undefined. */
  part: number | undefined;
}

/** What the fault hook may do instead of the normal answer. */
export type FakeS3Fault =
  | { status: number; body?: string }
  | { drop: true }
  | { delayMs: number };

/** A running fake S3. */
export interface FakeS3 {
  port: number;
  /** Uploads started, by id: their parts (last body received per number). */
  uploads: Map<string, { key: string; parts: Map<number, Buffer> }>;
  /** Stored objects by key. */
  objects: Map<string, Buffer>;
  /** Every request, in the order it ended (its response sent or its socket closed). */
  log: Array<{ method: string; kind: string; part?: number; at: number }>;
  aborted: string[];
  completed: string[];
  close(): Promise<void>;
}

function xml(status: number, code: string, message: string): { status: number; body: string } {
  return { status, body: `<Error><Code>${code}</Code><Message>${message}</Message></Error>` };
}

/** Starts the fake on 127.0.0.1 at a free port; `fault` is asked about every request first. */
export async function startFakeS3(fault: (request: FakeS3Request) => FakeS3Fault | undefined = () => undefined): Promise<FakeS3> {
  const uploads: FakeS3["uploads"] = new Map();
  const objects: FakeS3["objects"] = new Map();
  const log: FakeS3["log"] = [];
  const aborted: string[] = [];
  const completed: string[] = [];
  let n = 0;
  const started = performance.now();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.method ?? "GET";
      const url = new URL(req.url ?? "/", "http://x");
      const body = Buffer.concat(chunks);
      const uploadId = url.searchParams.get("uploadId");
      const partNumber = url.searchParams.get("partNumber");
      const part = partNumber === null ? undefined : Number(partNumber);
      const key = url.pathname.split("/").slice(2).join("/");
      const kind = method === "POST" && url.searchParams.has("uploads") ? "create"
        : method === "PUT" && uploadId !== null ? "part"
          : method === "POST" && uploadId !== null ? "complete"
            : method === "DELETE" && uploadId !== null ? "abort"
              : method === "GET" && url.searchParams.has("uploads") ? "list-uploads" : `${method.toLowerCase()}-object`;
      const record = (): void => {
        log.push({ method, kind, ...(part === undefined ? {} : { part }), at: performance.now() - started });
      };
      res.on("close", record);
      const answer = (status: number, text = "", headers: Record<string, string> = {}): void => {
        res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(text), ...headers }).end(text);
      };
      const normal = (): void => {
        if (kind === "part" || kind === "put-object") {
          if (createHash("md5").update(body).digest("base64") !== req.headers["content-md5"]) {
            const e = xml(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
            answer(e.status, e.body);
            return;
          }
          const declared = req.headers["x-amz-content-sha256"];
          if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared !== createHash("sha256").update(body).digest("hex")) {
            const e = xml(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
            answer(e.status, e.body);
            return;
          }
        }
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        switch (kind) {
          case "create": {
            const id = `upload-${++n}`;
            uploads.set(id, { key, parts: new Map() });
            answer(200, `<InitiateMultipartUploadResult><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
            return;
          }
          case "part": {
            const upload = uploads.get(uploadId!);
            if (upload === undefined) {
              const e = xml(404, "NoSuchUpload", "The specified upload does not exist.");
              answer(e.status, e.body);
              return;
            }
            upload.parts.set(part!, body);
            answer(200, "", { ETag: etag });
            return;
          }
          case "complete": {
            const upload = uploads.get(uploadId!);
            if (upload === undefined) {
              const e = xml(404, "NoSuchUpload", "The specified upload does not exist.");
              answer(e.status, e.body);
              return;
            }
            const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
            objects.set(upload.key, Buffer.concat(numbers.map((p) => upload.parts.get(p) ?? Buffer.alloc(0))));
            uploads.delete(uploadId!);
            completed.push(uploadId!);
            answer(200, `<CompleteMultipartUploadResult><ETag>"multi-${numbers.length}"</ETag></CompleteMultipartUploadResult>`);
            return;
          }
          case "abort":
            uploads.delete(uploadId!);
            aborted.push(uploadId!);
            answer(204);
            return;
          case "list-uploads":
            answer(200, `<ListMultipartUploadsResult>${[...uploads].map(([id, u]) => `<Upload><Key>${u.key}</Key><UploadId>${id}</UploadId></Upload>`).join("")}</ListMultipartUploadsResult>`);
            return;
          case "put-object":
            objects.set(key, body);
            answer(200, "", { ETag: etag });
            return;
          case "get-object": {
            const stored = objects.get(key);
            if (stored === undefined) {
              const e = xml(404, "NoSuchKey", "no such key");
              answer(e.status, e.body);
              return;
            }
            res.writeHead(200, { "Content-Length": stored.length, ETag: `"${createHash("md5").update(stored).digest("hex")}"` }).end(stored);
            return;
          }
          default:
            answer(404, xml(404, "NoSuchKey", "no").body);
        }
      };
      const injected = fault({ method, url, body, part });
      if (injected === undefined) normal();
      else if ("drop" in injected) req.socket.destroy();
      else if ("delayMs" in injected) {
        const timer = setTimeout(normal, injected.delayMs);
        res.on("close", () => clearTimeout(timer));
      } else answer(injected.status, injected.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    uploads, objects, log, aborted, completed,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** ListMultipartUploads of the fake's bucket, as S3 clients read it: the upload ids still open. */
export async function listMultipartUploads(port: number, bucket: string): Promise<string[]> {
  const body = await new Promise<string>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: `/${bucket}?uploads` }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => { text += c; }).on("end", () => resolve(text)).on("error", reject);
    }).on("error", reject);
  });
  return [...body.matchAll(/<UploadId>([^<]+)<\/UploadId>/g)].map((m) => m[1]!);
}
