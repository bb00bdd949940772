// The proof driver against a loopback server that behaves like a real provider: 202 + job id, then
// running, running, done; 401 on a bad token; 429 with Retry-After once. Polling scenarios R23–R28.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import {
  BaseHTTPError, JobFailedError, LibcloudError, PollTimeoutError, PollingConnection,
} from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer, type TestServer } from "../helpers/server.js";
import { JobsConnection, JobsDriver, JobsResponse } from "./proof-driver.js";
import type { Response } from "../../src/index.js";

const TOKEN = "tok-7f3a9c-secret";

interface Provider {
  server: TestServer;
  polls: number;
  creates: number;
}

/** A provider: jobs finish on the `finishOn`-th poll (Infinity: never); `failPoll` answers 503 once on that poll. */
async function provider(opts: { finishOn?: number; failJob?: boolean; failPoll?: number; rateLimitOnce?: boolean } = {}): Promise<Provider> {
  const state: Provider = { server: undefined as unknown as TestServer, polls: 0, creates: 0 };
  let rateLimited = false;
  state.server = await startServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { error: "invalid token" });
    if (req.url === "/things") {
      if (opts.rateLimitOnce && !rateLimited) {
        rateLimited = true;
        return sendJson(res, 429, { error: "slow down" }, { "retry-after": "3" });
      }
      return sendJson(res, 200, { things: ["a", "b"] });
    }
    if (req.method === "POST" && req.url === "/jobs") {
      state.creates++;
      return sendJson(res, 202, { id: "job-42", state: "queued" });
    }
    if (req.url === "/jobs/job-42") {
      state.polls++;
      if (state.polls === opts.failPoll) return sendJson(res, 503, { error: "busy" });
      if (opts.failJob && state.polls === 2) return sendJson(res, 200, { id: "job-42", state: "failed", reason: "disk full" });
      return sendJson(res, 200, { id: "job-42", state: state.polls >= (opts.finishOn ?? 3) ? "done" : "running" });
    }
    return sendJson(res, 404, { error: "no route" });
  });
  return state;
}

const fake = fakeClockEachTest();

const driverFor = (p: Provider, token = TOKEN, extra = {}) => new JobsDriver(token, { host: "127.0.0.1", port: p.server.port, secure: false, ...extra });

describe("proof driver", () => {
  test("lists with Bearer auth; a 429 with Retry-After is retried once", async () => {
    const p = await provider({ rateLimitOnce: true });
    const d = driverFor(p);
    assert.deepEqual(await d.listThings(), ["a", "b"]);
    assert.deepEqual(fake.clock.sleeps, [3000]);
    assert.match(String(p.server.requests[0]!.headers["user-agent"]), /\(Jobs\)$/);
    await d.connection.close();
    await p.server.close();
  });

  test("a bad token → 401 as a BaseHTTPError, one attempt, no token in the error", async () => {
    const p = await provider();
    const d = driverFor(p, "wrong-token-value");
    await assert.rejects(d.listThings(), (e: unknown) => {
      assert.ok(e instanceof BaseHTTPError && e.code === 401);
      for (const text of [e.message, String(e.stack), inspect(e), JSON.stringify(e)]) assert.ok(!text.includes("wrong-token-value"));
      return true;
    });
    assert.equal(p.server.requests.length, 1);
    await d.connection.close();
    await p.server.close();
  });

  test("R23: the job finishes on the 3rd poll → final response, exactly 3 polls spaced by pollInterval", async () => {
    const p = await provider({ finishOn: 3 });
    const d = driverFor(p);
    assert.deepEqual(await d.runJob("build"), { id: "job-42", state: "done" });
    assert.equal(p.creates, 1);
    assert.equal(p.polls, 3);
    assert.deepEqual(fake.clock.sleeps, [1000, 1000]);
    assert.equal(p.server.requests[0]!.body.toString(), '{"task":"build"}');
    await d.connection.close();
    await p.server.close();
  });

  test("R24: a job that never finishes → PollTimeoutError 'Job did not complete in N seconds' after a bounded number of polls", async () => {
    const p = await provider({ finishOn: Infinity });
    const d = driverFor(p, TOKEN, { timeout: 10_000 });
    await assert.rejects(d.runJob("slow"), (e: unknown) => {
      assert.ok(e instanceof PollTimeoutError && e instanceof LibcloudError);
      assert.equal(e.message, "Job did not complete in 10 seconds");
      assert.ok(!inspect(e).includes(TOKEN));
      return true;
    });
    assert.equal(p.polls, 11); // at 0, 1, …, 10 s
    await d.connection.close();
    await p.server.close();
  });

  test("R25: a job that reports failure ends polling at once with the provider's reason", async () => {
    const p = await provider({ failJob: true });
    const d = driverFor(p);
    await assert.rejects(d.runJob("doomed"), (e: unknown) => e instanceof JobFailedError && /disk full/.test(e.message));
    assert.equal(p.polls, 2);
    await d.connection.close();
    await p.server.close();
  });

  test("R26: a transient 503 on one poll is retried; the request that started the job is never re-sent", async () => {
    const p = await provider({ finishOn: 3, failPoll: 2 });
    const d = driverFor(p);
    assert.deepEqual(await d.runJob("build"), { id: "job-42", state: "done" });
    assert.equal(p.creates, 1);
    assert.equal(p.polls, 3);
    await d.connection.close();
    await p.server.close();
  });

  test("R27: an abort during polling rejects promptly with the signal's reason and stops polling", async () => {
    fake.use({ auto: false });
    const p = await provider({ finishOn: Infinity });
    const d = driverFor(p);
    const controller = new AbortController();
    const run = d.runJob("long", controller.signal);
    while (fake.clock.pending === 0) await new Promise((r) => setTimeout(r, 5));
    const pollsBefore = p.polls;
    controller.abort();
    await assert.rejects(run, (e: unknown) => (e as Error).name === "AbortError");
    fake.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.polls, pollsBefore);
    await d.connection.close();
    await p.server.close();
  });

  test("R28: as in libcloud, a polling connection's timeout (200 s) is both the poll budget and the per-request timeout", () => {
    const c = new JobsConnection("k");
    assert.equal(c.timeout, 200_000);
    assert.equal(c.pollInterval, 1000);
    assert.equal(new PollingConnection().pollInterval, 500);
    assert.equal(new PollingConnection().requestMethod, "request");
    assert.equal((c.connect() as unknown as { timeout: number }).timeout, 200_000);
  });

  test("the base PollingConnection's hooks throw 'not implemented'", async () => {
    const c = new PollingConnection();
    const response = {} as Response;
    assert.throws(() => c.hasCompleted(response), /not implemented/);
    assert.throws(() => c.getPollRequestOptions({ response, context: {}, requestOptions: { action: "/" } }), /not implemented/);
  });

  test("requestMethod and context are passed through (getRequestOptions / getPollRequestOptions)", async () => {
    const p = await provider({ finishOn: 1 });
    const seen: unknown[] = [];
    class Ctx extends JobsConnection {
      static override requestMethod = "signedRequest";
      async signedRequest(action: string, options: Record<string, unknown>) {
        seen.push(action);
        return this.request(action, options);
      }
      override getPollRequestOptions(args: { response: JobsResponse; context: Record<string, unknown> }) {
        seen.push(args.context);
        return super.getPollRequestOptions(args);
      }
    }
    const c = new Ctx(TOKEN, { port: p.server.port, secure: false });
    await c.asyncRequest("/jobs", { method: "POST", context: { tag: 1 } });
    assert.deepEqual(seen, ["/jobs", { tag: 1 }, "/jobs/job-42"]);
    await c.close();
    await p.server.close();
  });
});
