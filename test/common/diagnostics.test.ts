// Request lifecycle events on node:diagnostics_channel (issue 12 §3): start, response, error, retry
// and poll, each with driver and connection class, method, redacted URL, status, attempt, duration.
import assert from "node:assert/strict";
import diagnosticsChannel from "node:diagnostics_channel";
import { test } from "node:test";
import {
  BaseDriver, BaseHTTPError, ConnectionKey, DIAGNOSTICS_CHANNELS, JobFailedError, JsonResponse, PollingConnection, type Params, type PollRequestOptions,
} from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";

fakeClockEachTest();
const KEY = "key-diag-canary-4b7e21";

/** Subscribes to every channel for the duration of `fn`; returns what was published, in order. */
async function capture(fn: () => Promise<unknown>): Promise<Array<{ channel: string; event: Record<string, unknown> }>> {
  const seen: Array<{ channel: string; event: Record<string, unknown> }> = [];
  const handlers = Object.values(DIAGNOSTICS_CHANNELS).map((name) => {
    const handler = (event: unknown): void => void seen.push({ channel: name, event: event as Record<string, unknown> });
    diagnosticsChannel.subscribe(name, handler);
    return [name, handler] as const;
  });
  try {
    await fn().catch(() => undefined);
  } finally {
    for (const [name, handler] of handlers) diagnosticsChannel.unsubscribe(name, handler);
  }
  return seen;
}

class Api extends ConnectionKey {
  static override secure = false;
  static override responseCls = JsonResponse;
  override addDefaultParams(params: Params): Params {
    return { ...(params as Record<string, string>), api_key: this.key };
  }
}
class Driver extends BaseDriver {
  static override connectionCls = Api;
}

test("start, error, retry, start, response: one id, attempts counted, URL redacted, classes named", { timeout: 10_000 }, async () => {
  let n = 0;
  const server = await startServer((_req, res) => (++n === 1 ? sendJson(res, 503, { busy: true }) : sendJson(res, 200, { ok: true })));
  const d = new Driver(KEY, { host: "127.0.0.1", port: server.port, secure: false });
  const seen = await capture(() => d.connection.request(`/v1/${KEY}/things`, { params: { limit: 5 }, retry: { retryDelay: 10 } }));
  assert.deepEqual(seen.map((s) => s.channel), [
    "libcloud-ts:request:start", "libcloud-ts:request:error", "libcloud-ts:request:retry", "libcloud-ts:request:start",
    "libcloud-ts:request:response",
  ]);
  const [start, error, retry, , response] = seen.map((s) => s.event);
  assert.equal(new Set(seen.map((s) => s.event["id"])).size, 1);
  assert.equal(start!["driver"], "Driver");
  assert.equal(start!["connection"], "Api");
  assert.equal(start!["method"], "GET");
  assert.equal(start!["attempt"], 1);
  assert.equal(start!["url"], `http://127.0.0.1:${server.port}/v1/REDACTED/things?limit=5&api_key=REDACTED`);
  assert.equal(error!["status"], 503);
  assert.ok(error!["error"] instanceof BaseHTTPError);
  assert.equal(typeof error!["durationMs"], "number");
  assert.equal(retry!["attempt"], 1);
  assert.ok((retry!["delayMs"] as number) >= 10);
  assert.equal(response!["attempt"], 2);
  assert.equal(response!["status"], 200);
  assert.ok((response!["durationMs"] as number) >= 0);
  for (const { event } of seen) assert.ok(!JSON.stringify({ ...event, error: undefined }).includes(KEY));
  await Promise.all([d.connection.close(), server.close()]);
});

test("poll events: one per poll with its number, status and completion", { timeout: 10_000 }, async () => {
  let polls = 0;
  const server = await startServer((req, res) => {
    if (req.method === "POST") return sendJson(res, 202, { id: "j1" });
    return sendJson(res, 200, { done: ++polls >= 2 });
  });
  class Jobs extends PollingConnection {
    static override secure = false;
    static override responseCls = JsonResponse;
    override getPollRequestOptions(): PollRequestOptions {
      return { action: "/jobs/j1" };
    }
    override hasCompleted(response: JsonResponse): boolean {
      return (response.object as { done: boolean }).done;
    }
  }
  const c = new Jobs({ port: server.port });
  const seen = await capture(() => c.asyncRequest("/jobs", { method: "POST" }));
  const pollEvents = seen.filter((s) => s.channel === DIAGNOSTICS_CHANNELS.poll).map((s) => s.event);
  assert.deepEqual(pollEvents.map((e) => [e["attempt"], e["status"], e["completed"], e["method"], e["url"]]), [
    [1, 200, false, "GET", `http://127.0.0.1:${server.port}/jobs/j1`],
    [2, 200, true, "GET", `http://127.0.0.1:${server.port}/jobs/j1`],
  ]);
  assert.equal(seen.filter((s) => s.channel === DIAGNOSTICS_CHANNELS.start).length, 3);
  class Failing extends Jobs {
    override hasCompleted(): boolean {
      throw new JobFailedError("Job failed: disk full");
    }
  }
  const f = new Failing({ port: server.port });
  const failed = (await capture(() => f.asyncRequest("/jobs", { method: "POST" }))).filter((s) => s.channel === DIAGNOSTICS_CHANNELS.poll);
  assert.equal(failed.length, 1);
  assert.ok(failed[0]!.event["error"] instanceof JobFailedError);
  assert.equal(failed[0]!.event["completed"], false);
  await Promise.all([c.close(), f.close(), server.close()]);
});

test("no subscriber, no event: nothing is published and requests behave the same", { timeout: 10_000 }, async () => {
  const server = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
  const c = new Api(KEY, { port: server.port });
  for (const name of Object.values(DIAGNOSTICS_CHANNELS)) assert.equal(diagnosticsChannel.channel(name).hasSubscribers, false, name);
  assert.deepEqual((await c.request("/")).object, { ok: true });
  await Promise.all([c.close(), server.close()]);
});

test("an error published on the error and retry channels, or given to onRetry, is already redacted (one rule for every output)", { timeout: 10_000 }, async () => {
  let n = 0;
  // The server echoes the key in its error body, which becomes the error's message.
  const server = await startServer((_req, res) => (++n === 1 ? sendJson(res, 503, { error: `bad key ${KEY}` }) : sendJson(res, 200, { ok: true })));
  const d = new Driver(KEY, { host: "127.0.0.1", port: server.port, secure: false });
  const given: unknown[] = [];
  const seen = await capture(() => d.connection.request("/v1/things", { retry: { retryDelay: 10, onRetry: (info) => void given.push(info.error) } }));
  const errors = [...seen.filter((s) => s.event["error"] !== undefined).map((s) => s.event["error"]), ...given];
  assert.equal(errors.length, 3);
  for (const error of errors) {
    assert.ok(error instanceof BaseHTTPError);
    assert.ok(!`${error.message}\n${error.stack ?? ""}`.includes(KEY), error.message);
  }
  await Promise.all([d.connection.close(), server.close()]);
});
