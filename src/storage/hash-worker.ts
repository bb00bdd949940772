// Port of libcloud/storage/base.py: _hash_buffered_stream, run in a worker thread for the upload
// engine's WorkerHasher (worker-hasher.ts): parts arrive in order per job, each is hashed (MD5,
// SHA-256 when asked) where it lies (a SharedArrayBuffer the engine does not touch meanwhile) and
// fed to the job's whole-object MD5.
import { createHash, type Hash } from "node:crypto";
import { parentPort } from "node:worker_threads";

/** A message to the worker. */
export type HashRequest =
  | { kind: "start"; job: number; sha256: boolean; partDigests: boolean }
  | { kind: "part"; job: number; id: number; memory: SharedArrayBuffer | ArrayBuffer; offset: number; length: number }
  | { kind: "whole"; job: number; id: number }
  | { kind: "end"; job: number };

/** The worker's answer to a "part" or "whole" request. */
export type HashReply =
  | { id: number; md5: string; sha256?: string | undefined }
  | { id: number; error: string };

const jobs = new Map<number, { whole: Hash; sha256: boolean; partDigests: boolean }>();

parentPort?.on("message", (request: HashRequest) => {
  switch (request.kind) {
    case "start":
      jobs.set(request.job, { whole: createHash("md5"), sha256: request.sha256, partDigests: request.partDigests });
      return;
    case "end":
      jobs.delete(request.job);
      return;
    case "part": {
      const job = jobs.get(request.job);
      if (job === undefined) {
        parentPort!.postMessage({ id: request.id, error: `no hashing job ${request.job}` } satisfies HashReply);
        return;
      }
      const bytes = new Uint8Array(request.memory, request.offset, request.length);
      job.whole.update(bytes);
      const reply: HashReply = {
        id: request.id,
        md5: job.partDigests ? createHash("md5").update(bytes).digest("base64") : "",
        sha256: job.sha256 ? createHash("sha256").update(bytes).digest("hex") : undefined,
      };
      parentPort!.postMessage(reply);
      return;
    }
    case "whole": {
      const job = jobs.get(request.job);
      const reply: HashReply = job === undefined ? { id: request.id, error: `no hashing job ${request.job}` } : { id: request.id, md5: job.whole.copy().digest("base64") };
      parentPort!.postMessage(reply);
      return;
    }
    default:
  }
});
