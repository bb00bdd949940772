// libcloud-ts/test: MockHttp and FileFixtures, with the whole pipeline (hooks, polling, retry,
// response classes) running above the mock. Mirrors libcloud's own MockHttp usage.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { Connection, InvalidCredsError, JobFailedError, JsonResponse } from "../../src/index.js";
import {
  FileFixtures, MockHttp, MockHttpError, assertUrlContainsQueryParams, mockMethodName, sequence, type MockResponse,
} from "../../src/test/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { ExampleDriver } from "./example-driver.js";

const json = (status: number, value: unknown, headers: Record<string, string> = {}): MockResponse =>
  [status, JSON.stringify(value), { "content-type": "application/json", ...headers }];

class ExampleMockHttp extends MockHttp {
  _v1_servers(method: string, _url: string, body: string | Buffer | null): MockResponse {
    if (method === "POST") {
      const { name } = JSON.parse(String(body)) as { name: string };
      return json(202, { job: `job-${name}`, state: "pending" });
    }
    return json(200, { servers: [{ id: "srv-1", name: "web", state: "running", extra: 1 }] });
  }

  _v1_jobs_job_db = sequence(
    json(200, { id: "job-db", state: "running" }),
    json(200, { id: "job-db", state: "running" }),
    json(200, { id: "job-db", state: "done", resource: "srv-2" }),
  );

  _v1_servers_srv_2(): MockResponse {
    return json(200, { id: "srv-2", name: "db", state: "running" });
  }

  _v1_servers_UNAUTHORIZED(): MockResponse {
    return json(401, { error: { message: "bad token" } });
  }

  _v1_jobs_job_broken(): MockResponse {
    return json(200, { id: "job-broken", state: "failed" });
  }
}

function driver(): ExampleDriver {
  const d = new ExampleDriver("token-123");
  d.connection.connCls = ExampleMockHttp;
  d.connection.connect();
  return d;
}

fakeClockEachTest();
beforeEach(() => {
  ExampleMockHttp.reset();
});

describe("MockHttp", () => {
  test("method names follow libcloud's _get_method_name", () => {
    const cases: Array<[string, string | null, string | null, string]> = [
      ["/", null, null, "root"],
      ["", null, null, "root"],
      ["/v1/servers", null, null, "_v1_servers"],
      ["/v1/servers/", null, null, "_v1_servers"],
      ["/v1/a.b-c?x=1", null, null, "_v1_a_b_c"],
      ["/v1/servers", "EMPTY", null, "_v1_servers_EMPTY"],
      ["/?Action=DescribeInstances&Version=1", null, "Action", "_DescribeInstances"],
      ["/api?Action=Describe.Zones", "T", "Action", "_api_T_Describe_Zones"],
      ["/api?Other=1", null, "Action", "_api"],
      ["/a%20b/~user", null, null, "_a_20b__7Euser"],
    ];
    for (const [url, type, param, name] of cases) assert.equal(mockMethodName(url, type, param), name, url);
  });

  test("the proof driver runs unchanged above it: hooks, polling job, response classes", async () => {
    const d = driver();
    assert.deepEqual(await d.listServers(), [{ id: "srv-1", name: "web", state: "running" }]);
    assert.deepEqual(await d.createServer("db", "pw"), { id: "srv-2", name: "db", state: "running" });
    assert.deepEqual(ExampleMockHttp.executedMockMethods, ["_v1_servers", "_v1_servers", "_v1_jobs_job_db", "_v1_jobs_job_db", "_v1_jobs_job_db", "_v1_servers_srv_2"]);
    assert.deepEqual(ExampleMockHttp.visitedUrls, ["/v1/servers", "/v1/servers", "/v1/jobs/job-db", "/v1/jobs/job-db", "/v1/jobs/job-db", "/v1/servers/srv-2"]);
    const post = ExampleMockHttp.requests[1]!;
    assert.equal(post.method, "POST");
    assert.equal(post.headers["Authorization"], "Bearer token-123", "addDefaultHeaders ran");
    assert.equal(post.headers["Content-Type"], "application/json");
    assert.match(post.headers["User-Agent"]!, /\(Example\)/);
    assert.deepEqual(JSON.parse(String(post.body)), { name: "db", rootPassword: "pw" });
  });

  test("static type switches answers between requests; response classes map errors", async () => {
    const d = driver();
    ExampleMockHttp.type = "UNAUTHORIZED";
    await assert.rejects(d.listServers(), InvalidCredsError);
    assert.deepEqual(ExampleMockHttp.executedMockMethods, ["_v1_servers_UNAUTHORIZED"]);
    ExampleMockHttp.type = null;
    assert.equal((await d.listServers()).length, 1);
  });

  test("a failed job ends polling with the driver's typed error", async () => {
    await assert.rejects(driver().createServer("broken", "pw"), JobFailedError);
    assert.deepEqual(ExampleMockHttp.executedMockMethods, ["_v1_servers", "_v1_jobs_job_broken"]);
  });

  test("an unmatched request fails naming the method it looked for and the ones it knows", async () => {
    const d = driver();
    const error = await d.connection.request("/v2/nothing").catch((e: unknown) => e);
    assert.ok(error instanceof MockHttpError);
    assert.equal(error.methodName, "_v2_nothing");
    assert.ok(error.known.includes("_v1_servers") && error.known.includes("_v1_jobs_job_db"));
    assert.match(error.message, /no mock method "_v2_nothing" for GET \/v2\/nothing; known: .*_v1_servers/);
  });

  test("useParam suffixes the method with a query parameter's value", async () => {
    class QueryMock extends MockHttp {
      static override useParam = "Action";
      _ListNodes(): MockResponse {
        return json(200, { nodes: [] });
      }
    }
    class Q extends Connection {
      static override responseCls = JsonResponse;
      static override connCls = QueryMock;
    }
    const r = await new Q().request("/", { params: { Action: "ListNodes", Version: "2" } });
    assert.deepEqual(r.object, { nodes: [] });
    assert.deepEqual(QueryMock.executedMockMethods, ["_ListNodes"]);
    assertUrlContainsQueryParams(QueryMock.visitedUrls[0]!, { Action: "ListNodes" });
    assertUrlContainsQueryParams(QueryMock.visitedUrls[0]!, { Action: "ListNodes", Version: 2 }, true);
    assert.throws(() => assertUrlContainsQueryParams(QueryMock.visitedUrls[0]!, { Action: "Other" }));
    assert.throws(() => assertUrlContainsQueryParams(QueryMock.visitedUrls[0]!, { Action: "ListNodes" }, true));
  });

  test("retry runs above the mock: a 503 then a 200 from an array of responses", async () => {
    class Flaky extends MockHttp {
      _status: MockResponse[] = [[503, "busy", {}, "Service Unavailable"], [200, "{\"ok\":true}", { "content-type": "application/json" }]];
    }
    class C extends Connection {
      static override responseCls = JsonResponse;
      static override connCls = Flaky;
    }
    const conn = new C({ retryDelay: 10 });
    const r = await conn.request("/status", { retryFailed: true });
    assert.deepEqual(r.object, { ok: true });
    assert.deepEqual(Flaky.executedMockMethods, ["_status", "_status"]);
    const again = await conn.request("/status").catch((e: unknown) => e);
    assert.match(String((again as Error).message), /exhausted after 2/);
  });

  test("raw responses stream the body; a gzip fixture is decoded like the real transport does", async () => {
    const big = Buffer.alloc(300_000, 9);
    class Files extends MockHttp {
      _blob(): MockResponse {
        return [200, big, { "content-type": "application/octet-stream" }];
      }
      _zipped(): MockResponse {
        return [200, gzipSync("{\"a\":1}"), { "content-type": "application/json", "content-encoding": "gzip" }];
      }
      _nothing(): MockResponse {
        return [200, "ignored", { "content-length": "7" }];
      }
    }
    class C extends Connection {
      static override responseCls = JsonResponse;
    }
    const conn = new C();
    conn.connCls = Files; // one instance only
    const raw = await conn.request("/blob", { raw: true });
    let chunks = 0;
    let total = 0;
    for await (const chunk of raw.iterContent()) {
      chunks += 1;
      total += chunk.length;
    }
    assert.equal(total, big.length);
    assert.ok(chunks > 1, "streamed in chunks");
    assert.deepEqual((await conn.request("/zipped")).object, { a: 1 });
    const head = await conn.request("/nothing", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, "", "a HEAD response has no body, whatever the mock returns");
    assert.equal(new C().connCls, Connection.connCls, "the class's transport is untouched");
  });
});

describe("FileFixtures", () => {
  test("load, loadBytes, a clear error for a missing file, and no escape from the directory", () => {
    const root = mkdtempSync(join(tmpdir(), "libcloud-fixtures-"));
    try {
      const fixtures = new FileFixtures(root, "example");
      rmSync(join(root, "example"), { recursive: true, force: true });
      writeFileSync(join(root, "secret.txt"), "outside");
      assert.throws(() => fixtures.load("list.json"), /Fixture "list.json" not found: .*example\/list\.json/);
      assert.throws(() => fixtures.load("../secret.txt"), /outside/);
      const withFiles = new FileFixtures(new URL(`file://${root}/`), "");
      assert.equal(withFiles.load("secret.txt"), "outside");
      assert.deepEqual(withFiles.loadBytes("secret.txt"), Buffer.from("outside"));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
