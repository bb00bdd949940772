// Test-kit parity with libcloud's MockHttp and FileFixtures, for people porting a libcloud test
// suite: the method-name hook (`_get_method_name`, overridden by libcloud's Azurite mock), the
// `<name>.<ext>` catch-all (libcloud's Azure Blobs mock `__getattr__`), reset() of type and
// useParam, fixture paths relative to the test file, and (H16) decoding only what the request
// accepted, exactly as the real transport does against a loopback server.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { Connection, DecompressionError, JsonResponse, Response } from "../../src/index.js";
import { AzureBlobsStorageDriver } from "../../src/storage/index.js";
import { sourceDirectoryOf } from "../../src/test/file-fixtures.js";
import { FileFixtures, MockHttp, MockHttpError, type MockQuery, type MockResponse } from "../../src/test/index.js";
import { startServer, type TestServer } from "../helpers/server.js";

/** test/test-tools in the source tree (this file runs from dist/test/test-tools). */
const SOURCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../test/test-tools");
const EMPTY_LISTING = '<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Containers /><NextMarker /></EnumerationResults>';

describe("getMethodName: libcloud's _get_method_name hook", () => {
  class AzureBlobsMockHttp extends MockHttp {
    _list_containers_EMPTY(): MockResponse {
      return [200, EMPTY_LISTING, { "content-type": "application/xml" }];
    }
  }
  // libcloud: AzuriteBlobsMockHttp, which strips the account from path-style names.
  class AzuriteBlobsMockHttp extends AzureBlobsMockHttp {
    override getMethodName(type: string | null, useParam: string | null, qs: MockQuery, path: string): string {
      const name = super.getMethodName(type, useParam, qs, path);
      return name.startsWith("_account") ? name.slice(8) : name;
    }
  }
  beforeEach(() => AzuriteBlobsMockHttp.reset());

  test("libcloud: test_list_containers_empty, on the Azurite mock: the Azure mock's method answers the path-style request", async () => {
    AzuriteBlobsMockHttp.type = "list_containers_EMPTY";
    const driver = new AzureBlobsStorageDriver("account", Buffer.from("secret-key").toString("base64"), { host: "127.0.0.1", port: 10000, secure: false });
    driver.connection.connCls = AzuriteBlobsMockHttp;
    driver.connection.connect();
    assert.deepEqual(await driver.listContainers(), []);
    assert.deepEqual(AzuriteBlobsMockHttp.executedMockMethods, ["_list_containers_EMPTY"]);
    assert.match(AzuriteBlobsMockHttp.visitedUrls[0]!, /^\/account\/?\?/);
    await driver.close();
  });

  test("the hook gets libcloud's arguments: type, useParam, the parsed query and the path without its trailing /", async () => {
    const seen: unknown[] = [];
    class Spy extends MockHttp {
      static override useParam = "Action";
      override getMethodName(type: string | null, useParam: string | null, qs: MockQuery, path: string): string {
        seen.push({ type, useParam, qs: { ...qs }, path });
        return "_routed%2F";
      }
      _routed_2F(): MockResponse {
        return [200, "ok"];
      }
    }
    Spy.reset();
    Spy.type = "T";
    const c = new (class extends Connection {
      static override secure = false;
      static override responseCls = Response;
      static override connCls = Spy;
    })();
    assert.equal((await c.request("/v1/things/", { params: { Action: "List", tag: ["a", "b"] } })).body, "ok");
    assert.deepEqual(seen, [{ type: "T", useParam: "Action", qs: { Action: ["List"], tag: ["a", "b"] }, path: "/v1/things" }]);
    assert.deepEqual(Spy.executedMockMethods, ["_routed_2F"], "a % in the hook's result becomes _, as libcloud does");
  });
});

describe("catchAll: <name>.<ext> for a method the class does not define", () => {
  class TokenMockHttp extends MockHttp {
    static override catchAll = { fixtures: new FileFixtures("../fixtures/recorded/jobs"), extension: "json" };
    _jobs(): MockResponse {
      return [202, '{"id":"defined"}', { "content-type": "application/json" }];
    }
  }
  class Api extends Connection {
    static override secure = false;
    static override responseCls = JsonResponse;
    static override connCls = TokenMockHttp;
  }
  beforeEach(() => TokenMockHttp.reset());

  test("an unknown method loads its fixture (the committed _things.json); a defined one still wins", async () => {
    const c = new Api();
    const things = (await c.request("/things")).object as { things: string[] };
    assert.deepEqual(things.things, ["a", "b"]);
    assert.deepEqual((await c.request("/jobs", { method: "POST" })).object, { id: "defined" });
    assert.deepEqual(TokenMockHttp.executedMockMethods, ["_things", "_jobs"]);
  });

  test("no fixture either: MockHttpError names the method and the fixture it looked for", async () => {
    await assert.rejects(new Api().request("/nothing/here"), (e: unknown) => {
      assert.ok(e instanceof MockHttpError);
      assert.equal(e.methodName, "_nothing_here");
      assert.ok(e.message.includes(`catch-all: no fixture ${join(SOURCE_DIR, "../fixtures/recorded/jobs")}/_nothing_here.json`), e.message);
      return true;
    });
  });

  test("unknownMethod can be overridden, as libcloud's __getattr__ is written per mock", async () => {
    class Echo extends MockHttp {
      override unknownMethod(name: string, method: string): MockResponse {
        return [200, `${method} ${name}`];
      }
    }
    const c = new (class extends Connection {
      static override secure = false;
      static override responseCls = Response;
      static override connCls = Echo;
    })();
    assert.equal((await c.request("/any/path", { method: "DELETE" })).body, "DELETE _any_path");
  });
});

describe("reset() restores type and useParam to what the class declared", () => {
  test("a declared useParam and type come back; inherited ones are inherited again", () => {
    class Declared extends MockHttp {
      static override useParam: string | null = "comp";
      static override type: string | null = "BASE";
    }
    class Child extends Declared {}
    Declared.reset();
    Child.reset();
    Declared.useParam = "restype";
    Declared.type = "EMPTY";
    Declared.reset();
    assert.equal(Declared.useParam, "comp");
    assert.equal(Declared.type, "BASE");
    Child.useParam = null;
    Child.type = "CHILD";
    Child.reset();
    assert.equal(Child.useParam, "comp");
    assert.equal(Child.type, "BASE");
    assert.equal(Object.prototype.hasOwnProperty.call(Child, "type"), false);
    assert.equal(Object.prototype.hasOwnProperty.call(Child, "useParam"), false);
  });

  test("useParam routing after reset is the declared one (libcloud's tests set type per test)", async () => {
    class Routed extends MockHttp {
      static override useParam: string | null = "comp";
      _c_list(): MockResponse {
        return [200, "list"];
      }
      _c(): MockResponse {
        return [200, "plain"];
      }
    }
    const c = new (class extends Connection {
      static override secure = false;
      static override responseCls = Response;
      static override connCls = Routed;
    })();
    Routed.reset();
    Routed.useParam = null;
    assert.equal((await c.request("/c", { params: { comp: "list" } })).body, "plain");
    Routed.reset();
    assert.equal((await c.request("/c", { params: { comp: "list" } })).body, "list");
  });
});

describe("FileFixtures paths: relative to the test file, never to the working directory", () => {
  let elsewhere: string;
  const cwd = process.cwd();
  before(() => {
    elsewhere = mkdtempSync(join(tmpdir(), "libcloud-cwd-"));
  });
  after(() => {
    process.chdir(cwd);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test("a relative root resolves against this file's source directory, from any working directory", () => {
    process.chdir(elsewhere);
    try {
      const fixtures = new FileFixtures("../fixtures/recorded", "jobs");
      assert.equal(fixtures.root, resolve(SOURCE_DIR, "../fixtures/recorded/jobs"));
      assert.match(fixtures.load("_things.json"), /"things"/);
      const explicit = new FileFixtures("../fixtures/recorded/jobs", "", { base: import.meta.url });
      assert.equal(explicit.root, fixtures.root);
    } finally {
      process.chdir(cwd);
    }
  });

  test("the committed generated fixtures point at their own folder, not an absolute one", async () => {
    const { RecordedJobsMockHttp } = await import("../fixtures/recorded/jobs/recorded-jobs-mock-http.js");
    assert.equal(RecordedJobsMockHttp.fixtures?.root, resolve(SOURCE_DIR, "../fixtures/recorded/jobs"));
  });

  test("sourceDirectoryOf: a module without a source map is its own directory; a directory is itself", () => {
    const file = join(elsewhere, "plain.mjs");
    writeFileSync(file, "export const x = 1;\n");
    assert.equal(sourceDirectoryOf(file), elsewhere);
    assert.equal(sourceDirectoryOf(elsewhere), elsewhere);
    const inline = join(elsewhere, "inline.mjs");
    const map = Buffer.from(JSON.stringify({ version: 3, sources: ["../src/inline.ts"], mappings: "" })).toString("base64");
    writeFileSync(inline, `export const x = 1;\n//# sourceMappingURL=data:application/json;base64,${map}\n`);
    assert.equal(sourceDirectoryOf(inline), resolve(elsewhere, "../src"));
  });
});

describe("H16: MockHttp decodes only the codings the request accepted, as the real transport does", () => {
  const plain = JSON.stringify({ stored: "as gzip", n: 42 });
  const bodies: Record<string, Buffer> = {
    gzip: gzipSync(plain),
    deflate: deflateSync(plain),
    "deflate-raw": deflateRawSync(plain),
    "gzip, br": brotliCompressSync(gzipSync(plain)), // br, listed last, is undone first
    zstd: Buffer.from(plain),
  };
  const kinds = Object.keys(bodies);
  const encodingOf = (k: string): string => (k === "deflate-raw" ? "deflate" : k);
  const answer = (i: number): [Buffer, Record<string, string>] => [bodies[kinds[i]!]!, { "content-type": "application/json", "content-encoding": encodingOf(kinds[i]!) }];
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const [body, headers] = answer(Number(req.url!.slice("/k/".length)));
      res.writeHead(200, { ...headers, "content-length": body.length });
      res.end(body);
    });
  });
  after(() => server.close());

  class Encoded extends MockHttp {
    override unknownMethod(name: string): MockResponse {
      const [body, headers] = answer(Number(name.slice("_k_".length)));
      return [200, body, headers];
    }
  }
  class Real extends Connection {
    static override secure = false;
    static override responseCls = Response;
  }
  class Mocked extends Real {
    static override connCls = Encoded;
  }

  /** The body a request gets (as hex) or the error's class name. */
  async function outcome(c: Connection, kind: string, acceptEncoding: string | undefined, raw: boolean): Promise<string> {
    const headers: Record<string, string> = acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding };
    try {
      const r = await c.request(`/k/${kinds.indexOf(kind)}`, { headers, raw });
      if (raw) return (await (r as unknown as { body(): Promise<Buffer> }).body()).toString("hex");
      return Buffer.from((r as Response).body).toString("hex");
    } catch (error) {
      return (error as Error).constructor.name;
    }
  }

  for (const kind of Object.keys(bodies)) {
    for (const accept of [undefined, "identity", "gzip", "deflate", "gzip, deflate, br", "gzip;q=0, deflate", "*"]) {
      test(`H16: Content-Encoding ${encodingOf(kind)}${kind === "deflate-raw" ? " (raw)" : ""}, Accept-Encoding ${accept ?? "(default)"}: same as the real transport`, async () => {
        const real = new Real({ port: server.port });
        const mocked = new Mocked({ port: server.port });
        for (const raw of [false, true]) {
          const expected = await outcome(real, kind, accept, raw);
          assert.equal(await outcome(mocked, kind, accept, raw), expected, `raw: ${raw}`);
        }
        await real.close();
        await mocked.close();
      });
    }
  }

  test("H16: the cap on buffered bodies applies to the mock as to the transport, and to a raw body read whole (H7)", async () => {
    const small = { port: server.port, maxBufferedBodyBytes: 10 };
    const real = new Real(small);
    const mocked = new Mocked(small);
    for (const raw of [false, true]) {
      const expected = await outcome(real, "gzip", undefined, raw);
      assert.equal(expected, "ResponseTooLargeError");
      assert.equal(await outcome(mocked, "gzip", undefined, raw), expected, `raw: ${raw}`);
    }
    await real.close();
    await mocked.close();
  });

  test("H16: a body the request accepted but that does not decode is a DecompressionError, as from the transport", async () => {
    class Broken extends MockHttp {
      _broken(): MockResponse {
        return [200, "not gzip at all", { "content-encoding": "gzip" }];
      }
    }
    const c = new (class extends Real {
      static override connCls = Broken;
    })();
    await assert.rejects(c.request("/broken"), DecompressionError);
  });
});
