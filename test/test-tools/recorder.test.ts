// Recording a live session to fixtures plus a generated MockHttp subclass, and replaying it
// strictly: same results as the live run, secrets sanitised, departures and unused fixtures reported.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { PlaybackError, PlaybackMockHttp, startRecording } from "../../src/test/index.js";
import type { TestServer } from "../helpers/server.js";
import { startExampleApi } from "./example-api.js";
import { ExampleDriver } from "./example-driver.js";
import { ExampleMockHttp as CommittedRecording } from "../fixtures/recorded/example/example-mock-http.js";

const TOKEN = "token-SECRET-rec-4242";
const ROOT_PASSWORD = "rootpw-SECRET-7777";
const testEntry = pathToFileURL(fileURLToPath(new URL("../../src/test/index.js", import.meta.url))).href;
const distIndex = fileURLToPath(new URL("../../src/index.js", import.meta.url));
const distTestIndex = fileURLToPath(new URL("../../src/test/index.js", import.meta.url));

/** The session every test runs: the same calls, live or replayed. */
async function session(d: ExampleDriver): Promise<unknown[]> {
  return [await d.listServers(), await d.createServer("db", ROOT_PASSWORD), await d.listServers()];
}

function replayDriver(Mock: typeof PlaybackMockHttp): ExampleDriver {
  const d = new ExampleDriver("some-other-token", { secure: false, host: "127.0.0.1", port: 9 });
  d.connection.connCls = Mock;
  d.connection.connect();
  return d;
}

let api: TestServer;
before(async () => {
  api = await startExampleApi(TOKEN);
});
after(() => api.close());

describe("recording and strict playback", () => {
  let dir: string;
  let live: unknown[];
  let Mock: typeof PlaybackMockHttp;

  before(async () => {
    // LIBCLOUD_REGENERATE_FIXTURES=1 re-records the committed example under test/fixtures/recorded.
    const regenerate = process.env["LIBCLOUD_REGENERATE_FIXTURES"] === "1";
    dir = regenerate ? join("test", "fixtures", "recorded", "example") : join(mkdtempSync(join(tmpdir(), "libcloud-rec-")), "example");
    const recorder = startRecording(dir, regenerate
      ? { className: "ExampleMockHttp", importFrom: "../../../../src/test/index.js" }
      : { className: "ExampleMockHttp", importFrom: testEntry });
    try {
      const d = new ExampleDriver(TOKEN, { secure: false, host: "127.0.0.1", port: api.port });
      live = await session(d);
      await d.connection.close();
    } finally {
      recorder.stop();
    }
    // Node 20 cannot run TypeScript: strip the types of the generated source and load it.
    const source = readFileSync(recorder.sourcePath, "utf8");
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    // Beside the generated source, as a compiled copy would sit: its fixtures resolve against it.
    const jsPath = resolve(dir, ".example-mock-http.mjs");
    writeFileSync(jsPath, regenerate ? js.replace("../../../../src/test/index.js", testEntry) : js);
    Mock = ((await import(pathToFileURL(jsPath).href)) as { ExampleMockHttp: typeof PlaybackMockHttp }).ExampleMockHttp;
    rmSync(jsPath);
  });

  test("fixtures are written in libcloud's layout, one file per body named after the mock method", () => {
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [
      "_v1_jobs_job_srv_2.json", "_v1_jobs_job_srv_2_2.json", "_v1_servers.json", "_v1_servers_2.json", "_v1_servers_3.json",
      "_v1_servers_srv_2.json", "example-mock-http.ts",
    ]);
    const source = readFileSync(join(dir, "example-mock-http.ts"), "utf8");
    assert.match(source, /export class ExampleMockHttp extends PlaybackMockHttp \{/);
    assert.match(source, / {2}_v1_jobs_job_srv_2\(method: string, url: string\): MockResponse \{/);
  });

  test("secrets are sanitised by the redaction rules: the token, echoed headers and declared body fields", () => {
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      assert.ok(!text.includes(TOKEN), `${file} holds the token`);
      assert.ok(!text.includes(ROOT_PASSWORD), `${file} holds the root password`);
    }
    assert.equal(JSON.parse(readFileSync(join(dir, "_v1_servers_srv_2.json"), "utf8")).rootPassword, "REDACTED");
    assert.match(readFileSync(join(dir, "example-mock-http.ts"), "utf8"), /"x-echo-authorization":"REDACTED"/);
  });

  test("strict playback of the recording gives the live run's results and uses every fixture", async () => {
    Mock.reset();
    assert.deepEqual(await session(replayDriver(Mock)), live);
    assert.deepEqual(Mock.unusedFixtures(), []);
    Mock.assertAllUsed();
  });

  test("strict playback fails on a request past the recording or of another method", async () => {
    Mock.reset();
    const d = replayDriver(Mock);
    await session(d);
    await assert.rejects(d.listServers(), (e: unknown) => e instanceof PlaybackError && /all 3 recorded response\(s\) for "_v1_servers" were already replayed/.test(e.message));
    Mock.reset();
    await assert.rejects(replayDriver(Mock).connection.request("/v1/servers", { method: "DELETE" }), /response #1 for "_v1_servers" was recorded for GET \/v1\/servers/);
    Mock.reset();
    await assert.rejects(replayDriver(Mock).connection.request("/v1/volumes"), /no mock method "_v1_volumes".*known: _v1_jobs_job_srv_2, _v1_servers, _v1_servers_srv_2/);
  });

  test("strict playback reports the fixtures never used", async () => {
    Mock.reset();
    await replayDriver(Mock).listServers();
    assert.deepEqual(Mock.unusedFixtures(), [
      "_v1_servers #2 POST /v1/servers (_v1_servers_2.json)",
      "_v1_servers #3 GET /v1/servers (_v1_servers_3.json)",
      "_v1_jobs_job_srv_2 #1 GET /v1/jobs/job-srv-2 (_v1_jobs_job_srv_2.json)",
      "_v1_jobs_job_srv_2 #2 GET /v1/jobs/job-srv-2 (_v1_jobs_job_srv_2_2.json)",
      "_v1_servers_srv_2 #1 GET /v1/servers/srv-2 (_v1_servers_srv_2.json)",
    ]);
    assert.throws(() => Mock.assertAllUsed(), /5 recorded response\(s\) never replayed/);
  });

  test("the committed recording (type-checked by the build) replays the same session offline", async () => {
    CommittedRecording.reset();
    assert.deepEqual(await session(replayDriver(CommittedRecording)), live);
    CommittedRecording.assertAllUsed();
  });
});

test("LIBCLOUD_RECORD=<dir> records without code changes (node --import the test kit)", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "libcloud-env-rec-")), "session");
  const child = `
    import { ConnectionKey, JsonResponse } from ${JSON.stringify(distIndex)};
    class C extends ConnectionKey {
      static secure = false;
      static responseCls = JsonResponse;
      addDefaultHeaders(h) { h.Authorization = "Bearer " + this.key; return h; }
    }
    const conn = new C(${JSON.stringify(TOKEN)}, { host: "127.0.0.1", port: ${api.port} });
    const r = await conn.request("/v1/servers");
    process.stdout.write(String(r.object.servers.length));
    await conn.close();
  `;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", pathToFileURL(distTestIndex).href, "--input-type=module", "-e", child], { env: { ...process.env, LIBCLOUD_RECORD: dir } });
    assert.ok(Number(stdout) >= 1);
    assert.ok(existsSync(join(dir, "_v1_servers.json")));
    assert.match(readFileSync(join(dir, "recorded-mock-http.ts"), "utf8"), /export class RecordedMockHttp extends PlaybackMockHttp/);
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("LIBCLOUD_RECORD without the test kit loaded: one warning naming the fix, nothing written, the request still works", async () => {
  // Production code never imports src/test (the layering rule); the kit installs the recorder.
  const dir = join(mkdtempSync(join(tmpdir(), "libcloud-env-rec-")), "session");
  const child = `
    import { ConnectionKey } from ${JSON.stringify(distIndex)};
    class C extends ConnectionKey { static secure = false; }
    const conn = new C("k", { host: "127.0.0.1", port: ${api.port} });
    await conn.request("/v1/servers", { headers: { Authorization: "Bearer ${TOKEN}" } });
    await conn.request("/v1/servers", { headers: { Authorization: "Bearer ${TOKEN}" } });
    process.stdout.write("ok");
    await conn.close();
  `;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", child], { env: { ...process.env, LIBCLOUD_RECORD: dir } });
    assert.equal(stdout, "ok");
    assert.equal(stderr.match(/LIBCLOUD_RECORD is set but the test kit is not loaded: run with `node --import libcloud-ts\/test`/g)?.length, 1);
    assert.equal(existsSync(dir), false);
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});
