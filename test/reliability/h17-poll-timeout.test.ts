// RELIABILITY H17 (and R24): a PollTimeoutError carries what is needed to find the job again: the
// poll's action, the job id, the last response's status and headers; never a credential.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { JsonResponse, LibcloudError, PollTimeoutError, PollingConnection, type PollRequestOptions } from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";

const fake = fakeClockEachTest();
const TOKEN = "tok-h17-canary-5e1f0c";
const SIG = "sig-h17-canary-77aa01";

class Jobs extends PollingConnection {
  static override secure = false;
  static override responseCls = JsonResponse;
  static override pollInterval = 1000;
  declare key: string;
  constructor(key: string, options = {}) {
    super(options);
    Object.defineProperty(this, "key", { value: key, enumerable: false });
  }
  override addDefaultHeaders(headers: Record<string, string>) {
    return { ...headers, Authorization: `Bearer ${this.key}` };
  }
  override getPollRequestOptions({ response }: { response: JsonResponse }): PollRequestOptions {
    return { action: `/jobs/${(response.object as { id: string }).id}?signature=${SIG}&job=1` };
  }
  override hasCompleted(): boolean {
    return false;
  }
}

test("H17: a poll timeout names the poll's action, the job id (Location), the last status and headers, and no credential", { timeout: 10_000 }, async () => {
  const server = await startServer((req, res) => {
    if (req.method === "POST") return sendJson(res, 202, { id: "job-9" }, { location: "/jobs/job-9" });
    return sendJson(res, 202, { state: "running" }, { "x-request-id": "req-123", "set-cookie": `s=${TOKEN}`, "retry-after": "5" });
  });
  const c = new Jobs(TOKEN, { port: server.port, timeout: 5000 });
  await assert.rejects(c.asyncRequest("/jobs", { method: "POST", data: "{}" }), (e: unknown) => {
    assert.ok(e instanceof PollTimeoutError && e instanceof LibcloudError);
    assert.equal(e.message, "Job did not complete in 5 seconds");
    assert.equal(e.jobId, "/jobs/job-9");
    assert.equal(e.method, "GET");
    assert.equal(e.action, "/jobs/job-9?signature=REDACTED&job=1");
    assert.equal(e.lastStatus, 202);
    assert.equal(e.lastHeaders["x-request-id"], "req-123");
    assert.equal(e.lastHeaders["retry-after"], "5");
    assert.equal(e.lastHeaders["set-cookie"], "REDACTED");
    assert.equal(e.polls, 6);
    assert.equal(e.timeoutMs, 5000);
    for (const text of [e.message, String(e.stack), inspect(e, { depth: 5 }), JSON.stringify(e)]) {
      assert.ok(!text.includes(TOKEN) && !text.includes(SIG), text);
    }
    return true;
  });
  assert.equal(server.requests.filter((r) => r.method === "GET").length, 6);
  assert.ok(fake.clock.sleeps.every((ms) => ms === 1000));
  await Promise.all([c.close(), server.close()]);
});

test("H17: getJobId() is the hook for APIs that name the job in the body", { timeout: 10_000 }, async () => {
  class BodyJobs extends Jobs {
    override getJobId({ firstResponse }: { firstResponse: JsonResponse }): string {
      return (firstResponse.object as { id: string }).id;
    }
  }
  const server = await startServer((req, res) => sendJson(res, 202, { id: "job-77" }));
  const c = new BodyJobs(TOKEN, { port: server.port, timeout: 2000 });
  await assert.rejects(c.asyncRequest("/jobs", { method: "POST" }), (e: unknown) => e instanceof PollTimeoutError && e.jobId === "job-77" && e.lastStatus === 202);
  await Promise.all([c.close(), server.close()]);
});
