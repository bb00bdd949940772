// libcloud's test_file_fixtures.py, translated: FileFixtures and MockHttp with fixture files
// (test/fixtures/meta, found relative to this file, not to the working directory).
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { Connection, JsonResponse, Response, XmlResponse } from "../../src/index.js";
import { FileFixtures, MockHttp, reasonPhrase, type MockResponse } from "../../src/test/index.js";

/** libcloud's ComputeFileFixtures("meta"). */
class ComputeFileFixtures extends FileFixtures {
  constructor(subdir = "") {
    super("../fixtures", subdir);
  }
}

describe("FileFixturesTests", () => {
  test("libcloud: test_success", () => {
    const f = new ComputeFileFixtures("meta");
    assert.equal(f.load("helloworld.txt"), "Hello, World!");
  });

  test("libcloud: test_failure", () => {
    const f = new ComputeFileFixtures("meta");
    assert.throws(() => f.load("nil"), /Fixture "nil" not found: .*\/test\/fixtures\/meta\/nil/);
  });

  test("libcloud: test_unicode", () => {
    const f = new ComputeFileFixtures("meta");
    assert.equal(f.load("unicode.txt"), "Ś");
  });
});

class TestMockHttp extends MockHttp {
  fixtures = new ComputeFileFixtures("meta");

  _unicode(): MockResponse {
    return [200, this.fixtures.load("unicode.txt"), {}, reasonPhrase(200)];
  }

  _unicode_json(): MockResponse {
    return [200, this.fixtures.load("unicode.json"), {}, reasonPhrase(200)];
  }

  _unicode_xml(): MockResponse {
    return [200, this.fixtures.load("unicode.xml"), {}, reasonPhrase(200)];
  }

  _ascii(): MockResponse {
    return [200, this.fixtures.load("helloworld.txt"), {}, reasonPhrase(200)];
  }
}

describe("MockHttpFileFixturesTests", () => {
  class TestConnection extends Connection {
    static override connCls = TestMockHttp;
    static override responseCls = Response;
  }
  let connection: TestConnection;
  beforeEach(() => {
    TestMockHttp.reset();
    connection = new TestConnection();
  });

  test("libcloud: test_unicode_response", async () => {
    const r = await connection.request("/unicode");
    assert.equal(r.parseBody(), "Ś");
  });

  test("libcloud: test_json_unicode_response", async () => {
    connection.responseCls = JsonResponse;
    const r = await connection.request("/unicode/json");
    assert.deepEqual(r.object, { test: "Ś" });
  });

  test("libcloud: test_xml_unicode_response", async () => {
    connection.responseCls = XmlResponse;
    const response = await connection.request("/unicode/xml");
    assert.equal((response.object as { text: string | null }).text, "Ś");
  });
});
