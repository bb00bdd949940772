// The core issue's proof driver (test/common/proof-driver.ts) under the driver-author tools: a
// MockHttp test of its Bearer auth and polling job, its debug log, and a recorded session
// replayed strictly. These are the steps docs/TESTING-DRIVERS.md shows.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { BaseHTTPError, JobFailedError, enableDebug } from "../../src/index.js";
import {
  MockHttp, PlaybackMockHttp, assertUrlContainsQueryParams, sequence, startRecording, type MockResponse,
} from "../../src/test/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";
import { JobsDriver } from "../common/proof-driver.js";
import { RecordedJobsMockHttp } from "../fixtures/recorded/jobs/recorded-jobs-mock-http.js";

const TOKEN = "tok-proof-SECRET-31337";
const json = (status: number, value: unknown): MockResponse => [status, JSON.stringify(value), { "content-type": "application/json" }];

class JobsMockHttp extends MockHttp {
  _things(): MockResponse {
    return json(200, { things: ["a", "b"] });
  }

  _jobs(method: string, _url: string, body: string | Buffer | null): MockResponse {
    assert.equal(method, "POST");
    return json(202, { id: `job-${(JSON.parse(String(body)) as { task: string }).task}`, state: "queued" });
  }

  _jobs_job_build = sequence(json(200, { id: "job-build", state: "running" }), json(200, { id: "job-build", state: "done", artifact: "x.tgz" }));

  _jobs_job_crash(): MockResponse {
    return json(200, { id: "job-crash", state: "failed", reason: "disk full" });
  }

  _things_EXPIRED(): MockResponse {
    return json(401, { error: "invalid token" });
  }
}

const fake = fakeClockEachTest();
beforeEach(() => {
  JobsMockHttp.reset();
});
afterEach(() => {
  enableDebug(null);
});

function mockedDriver(): JobsDriver {
  const d = new JobsDriver(TOKEN);
  d.connection.connCls = JobsMockHttp;
  d.connection.connect();
  return d;
}

describe("the proof driver with MockHttp", () => {
  test("listThings sends Bearer auth through addDefaultHeaders", async () => {
    assert.deepEqual(await mockedDriver().listThings(), ["a", "b"]);
    const [request] = JobsMockHttp.requests;
    assert.equal(request!.headers["Authorization"], `Bearer ${TOKEN}`);
    assert.equal(request!.headers["Accept"], "application/json");
    assertUrlContainsQueryParams(JobsMockHttp.visitedUrls[0]!, {}, true);
  });

  test("runJob polls on the fake clock until the job is done", async () => {
    assert.deepEqual(await mockedDriver().runJob("build"), { id: "job-build", state: "done", artifact: "x.tgz" });
    assert.deepEqual(JobsMockHttp.executedMockMethods, ["_jobs", "_jobs_job_build", "_jobs_job_build"]);
    assert.deepEqual(fake.clock.sleeps, [1000], "one poll interval between the two polls, no real sleep");
  });

  test("a failed job and a 401 come out as the driver's typed errors", async () => {
    await assert.rejects(mockedDriver().runJob("crash"), (e: unknown) => e instanceof JobFailedError && /disk full/.test(e.message));
    JobsMockHttp.type = "EXPIRED";
    await assert.rejects(mockedDriver().listThings(), (e: unknown) => e instanceof BaseHTTPError && e.code === 401);
  });
});

describe("the proof driver, logged and recorded", () => {
  test("its debug log shows the job as curl lines with the Bearer token redacted", async () => {
    let text = "";
    enableDebug({ write: (chunk: string) => { text += chunk; } });
    await mockedDriver().runJob("build");
    const curls = text.split("\n").filter((l) => l.startsWith("curl "));
    assert.equal(curls.length, 3);
    assert.match(curls[0]!, /^curl -i -X POST .*-H 'Authorization: REDACTED'.* --data-binary '\{"task":"build"\}' --compressed 'https:\/\/127\.0\.0\.1\/jobs'$/);
    assert.ok(!text.includes(TOKEN));
    assert.match(text, /# HTTP\/1\.1 202 Accepted/);
  });

  test("a live session recorded against a loopback provider replays strictly with the same results", async () => {
    let polls = 0;
    const server = await startServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { error: "invalid token" });
      if (req.url === "/things") return sendJson(res, 200, { things: ["a", "b"], owner: `Bearer ${TOKEN}` });
      if (req.method === "POST" && req.url === "/jobs") return sendJson(res, 202, { id: "job-42", state: "queued" });
      if (req.url === "/jobs/job-42") return sendJson(res, 200, { id: "job-42", state: ++polls >= 3 ? "done" : "running" });
      return sendJson(res, 404, { error: "no route" });
    });
    const root = mkdtempSync(join(tmpdir(), "libcloud-proof-rec-"));
    const testEntry = pathToFileURL(fileURLToPath(new URL("../../src/test/index.js", import.meta.url))).href;
    // LIBCLOUD_REGENERATE_FIXTURES=1 re-records the committed copy under test/fixtures/recorded/jobs.
    const regenerate = process.env["LIBCLOUD_REGENERATE_FIXTURES"] === "1";
    const dir = regenerate ? join("test", "fixtures", "recorded", "jobs") : join(root, "jobs");
    const run = async (d: JobsDriver): Promise<unknown[]> => [await d.listThings(), await d.runJob("build"), await d.listThings()];
    try {
      const recorder = startRecording(dir, regenerate
        ? { className: "RecordedJobsMockHttp", importFrom: "../../../../src/test/index.js" }
        : { className: "RecordedJobsMockHttp", importFrom: testEntry });
      let live: unknown[];
      try {
        const d = new JobsDriver(TOKEN, { host: "127.0.0.1", port: server.port, secure: false });
        live = await run(d);
        await d.connection.close();
      } finally {
        recorder.stop();
      }
      assert.deepEqual(readdirSync(dir).sort(), [
        "_jobs.json", "_jobs_job_42.json", "_jobs_job_42_2.json", "_jobs_job_42_3.json", "_things.json", "_things_2.json", "recorded-jobs-mock-http.ts",
      ]);
      for (const file of readdirSync(dir)) assert.ok(!readFileSync(join(dir, file), "utf8").includes(TOKEN), file);
      const js = ts.transpileModule(readFileSync(recorder.sourcePath, "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      // Beside the generated source, as a compiled copy would sit: its fixtures resolve against it.
      const replayPath = join(dir, ".replay.mjs");
      writeFileSync(replayPath, js.replace("../../../../src/test/index.js", testEntry));
      const Mock = ((await import(pathToFileURL(resolve(replayPath)).href)) as { RecordedJobsMockHttp: typeof PlaybackMockHttp }).RecordedJobsMockHttp;
      rmSync(replayPath);
      const replayed = new JobsDriver("not-the-token");
      replayed.connection.connCls = Mock;
      replayed.connection.connect();
      assert.deepEqual(await run(replayed), live);
      Mock.assertAllUsed();
      await assert.rejects(replayed.listThings(), /already replayed/);
      // The committed recording of the same session (type-checked by the build) replays offline too.
      RecordedJobsMockHttp.reset();
      const offline = new JobsDriver("not-the-token");
      offline.connection.connCls = RecordedJobsMockHttp;
      offline.connection.connect();
      assert.deepEqual(await run(offline), live);
      RecordedJobsMockHttp.assertAllUsed();
    } finally {
      rmSync(root, { recursive: true, force: true });
      await server.close();
    }
  });
});
