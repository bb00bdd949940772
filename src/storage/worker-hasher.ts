// Port of libcloud/storage/base.py: _hash_buffered_stream, off the event loop: the upload engine's
// default PartHasher hashes parts of 1 MiB and more in a worker thread (hash-worker.ts), so a part
// is hashed while the previous ones are on the wire and the main thread reads the next.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { LibcloudError } from "../common/types.js";
import type { HashReply, HashRequest } from "./hash-worker.js";
import { inlineHasher, type HashJob, type HashJobOptions, type PartHasher, type PartHashes } from "./part-hasher.js";

/** Options of a {@link WorkerHasher}. */
export interface WorkerHasherOptions {
  /** Worker threads (each upload uses one, in order). @defaultValue 1 */
  threads?: number | undefined;
  /**
   * Uploads whose first part is smaller are hashed on the calling thread (a message round trip
   * costs more than hashing a few KiB). @defaultValue 1 MiB
   */
  minPartBytes?: number | undefined;
}

/** The worker's script, next to this module (absent when the sources are run untranspiled: then hashing stays inline). */
const WORKER_URL = new URL("./hash-worker.js", import.meta.url);

/** Threads that may fail (to start, or later) before a hasher gives up on threads and hashes inline. */
const MAX_THREAD_FAILURES = 3;

type Waiter = { resolve: (reply: HashReply) => void; reject: (error: unknown) => void };

/** One worker thread: requests answered in order; kept referenced only while it has work. */
class HashThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Waiter>();
  #nextId = 0;
  #failure: unknown;

  constructor() {
    // The thread holds hash states and a few strings: a small heap keeps its memory small.
    this.#worker = new Worker(WORKER_URL, {
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16, stackSizeMb: 1 },
    });
    this.#worker.unref();
    this.#worker.on("message", (reply: HashReply) => {
      const waiter = this.#pending.get(reply.id);
      if (waiter === undefined) return;
      this.#settled(reply.id);
      if ("error" in reply) waiter.reject(new LibcloudError(`The hashing thread failed: ${reply.error}`));
      else waiter.resolve(reply);
    });
    const fail = (error: unknown): void => {
      this.#failure ??= error;
      const waiters = [...this.#pending.values()];
      this.#pending.clear();
      for (const w of waiters) w.reject(new LibcloudError("The hashing thread stopped", { cause: this.#failure }));
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Whether the thread can take work. */
  get alive(): boolean {
    return this.#failure === undefined;
  }

  /** Jobs and requests waiting (to pick the least busy thread). */
  get load(): number {
    return this.#pending.size;
  }

  post(request: HashRequest): void {
    this.#worker.postMessage(request);
  }

  ask(make: (id: number) => HashRequest): Promise<HashReply> {
    if (this.#failure !== undefined) return Promise.reject(new LibcloudError("The hashing thread stopped", { cause: this.#failure }));
    const id = ++this.#nextId;
    return new Promise<HashReply>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(make(id));
    });
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** Where the worker reads a part: the buffer's own shared memory, or (any other buffer) a copy. */
function memoryOf(buffer: Buffer, length: number): { memory: SharedArrayBuffer | ArrayBuffer; offset: number } {
  if (buffer.buffer instanceof SharedArrayBuffer) return { memory: buffer.buffer, offset: buffer.byteOffset };
  const copy = new ArrayBuffer(length);
  new Uint8Array(copy).set(buffer.subarray(0, length));
  return { memory: copy, offset: 0 };
}

/**
 * Hashes upload parts in worker threads: the thread reads a part where it lies (the engine's part
 * buffers are SharedArrayBuffers; others are copied), the whole object's MD5 is kept there in part order. Uploads whose first part is
 * under `minPartBytes` are hashed inline, and so is everything when the worker script is missing or
 * threads keep failing (3 times). Threads start on first use and never hold the process open.
 */
export class WorkerHasher implements PartHasher {
  /** Part buffers are SharedArrayBuffers: the thread reads them in place. */
  readonly sharedMemory = true;
  readonly #size: number;
  readonly #minPartBytes: number;
  readonly #threads: HashThread[] = [];
  #jobs = 0;
  #failures = 0;
  #usable: boolean | undefined;

  constructor(options: WorkerHasherOptions = {}) {
    this.#size = Math.max(1, Math.floor(options.threads ?? 1));
    this.#minPartBytes = Math.max(0, options.minPartBytes ?? 1024 * 1024);
  }

  /** A thread for a new job, or undefined to hash it inline (no worker script, or threads keep failing). */
  #thread(): HashThread | undefined {
    this.#usable ??= WORKER_URL.protocol === "file:" && existsSync(fileURLToPath(WORKER_URL));
    for (let i = this.#threads.length - 1; i >= 0; i--) {
      if (!this.#threads[i]!.alive) {
        this.#threads.splice(i, 1);
        this.#failures++;
      }
    }
    if (!this.#usable || this.#failures >= MAX_THREAD_FAILURES) return undefined;
    if (this.#threads.length < this.#size) {
      const thread = new HashThread();
      this.#threads.push(thread);
      return thread;
    }
    return this.#threads.reduce((a, b) => (b.load < a.load ? b : a));
  }

  start({ sha256, partDigests = true }: HashJobOptions): HashJob {
    let inline: HashJob | undefined;
    let thread: HashThread | undefined;
    const job = ++this.#jobs;
    let closed = false;
    const decide = (length: number): void => {
      if (inline !== undefined || thread !== undefined) return;
      thread = length < this.#minPartBytes ? undefined : this.#thread();
      if (thread === undefined) inline = inlineHasher.start({ sha256, partDigests });
      else thread.post({ kind: "start", job, sha256, partDigests });
    };
    return {
      part: async (buffer: Buffer, length: number): Promise<PartHashes> => {
        decide(length);
        if (inline !== undefined) return inline.part(buffer, length);
        const { memory, offset } = memoryOf(buffer, length);
        const reply = await thread!.ask((id) => ({ kind: "part", job, id, memory, offset, length }));
        if (!("md5" in reply)) throw new LibcloudError("The hashing thread gave no MD5");
        return { buffer, md5: reply.md5, sha256: reply.sha256 };
      },
      whole: async (): Promise<string> => {
        decide(0);
        if (inline !== undefined) return inline.whole();
        const reply = await thread!.ask((id) => ({ kind: "whole", job, id }));
        if (!("md5" in reply)) throw new LibcloudError("The hashing thread gave no MD5");
        return reply.md5;
      },
      close: (): void => {
        if (closed) return;
        closed = true;
        if (thread?.alive === true) thread.post({ kind: "end", job });
        inline?.close();
      },
    };
  }

  /** Stops the threads (they are made again when needed; jobs in progress on them fail). */
  async close(): Promise<void> {
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/** The hasher uploads use unless a driver is given another (`uploadHasher`): one worker thread. */
export const defaultUploadHasher: PartHasher = new WorkerHasher();
