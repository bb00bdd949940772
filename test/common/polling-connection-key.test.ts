// PollingConnectionKey: libcloud's `class C(PollingConnection, ConnectionKey)` (PORTING 25), polled
// against a loopback server that checks the key on every request.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inspect } from "node:util";
import { JsonResponse, PollingConnection, PollingConnectionKey, type LibcloudRequest } from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer, type TestServer } from "../helpers/server.js";

const KEY = "pck-5e3f9a-secret";
fakeClockEachTest();

let server: TestServer;
let polls = 0;
before(async () => {
  server = await startServer((req, res) => {
    if (req.headers["x-api-key"] !== KEY) return sendJson(res, 401, { error: "bad key" });
    if (req.method === "POST") return sendJson(res, 202, { id: "j1" });
    return sendJson(res, 200, { id: "j1", state: ++polls >= 2 ? "done" : "running" });
  });
});
after(() => server.close());

class KeyedJobs extends PollingConnectionKey {
  static override secure = false;
  static override responseCls = JsonResponse;
  static override pollInterval = 10;
  override addDefaultHeaders(headers: Record<string, string>, _request?: LibcloudRequest): Record<string, string> {
    return { ...headers, "X-API-Key": this.key };
  }
  override getPollRequestOptions({ response }: { response: JsonResponse }) {
    return { action: `/jobs/${(response.object as { id: string }).id}` };
  }
  override hasCompleted(response: JsonResponse): boolean {
    return (response.object as { state: string }).state === "done";
  }
}

test("a PollingConnectionKey takes the key first, sends it on the job and every poll, and never shows it", async () => {
  const c = new KeyedJobs(KEY, { port: server.port });
  assert.ok(c instanceof PollingConnection);
  assert.equal(c.key, KEY);
  const response = await c.asyncRequest("/jobs", { method: "POST" });
  assert.deepEqual(response.object, { id: "j1", state: "done" });
  assert.equal(polls, 2);
  assert.equal(Object.keys(c).includes("key"), false);
  assert.ok(!inspect(c, { depth: 5, showHidden: false }).includes(KEY));
  assert.ok(!JSON.stringify(c).includes(KEY));
  await c.close();
});
