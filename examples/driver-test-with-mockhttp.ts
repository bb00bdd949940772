// Example: testing a driver with MockHttp from libcloud-ts/test — no server, no network: each
// request goes to the mock method named after its path (/v1/servers -> _v1_servers).
// Run: npm run build && node --test dist/examples/driver-test-with-mockhttp.js
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { InvalidCredsError } from "libcloud-ts";
import { MockHttp, type MockResponse } from "libcloud-ts/test";
import { ExampleDriver } from "./example-driver.js";

const json = (status: number, value: unknown): MockResponse => [status, JSON.stringify(value), { "content-type": "application/json" }];

class ExampleMockHttp extends MockHttp {
  _v1_servers(method: string): MockResponse {
    assert.equal(method, "GET");
    return json(200, { servers: [{ id: "srv-1", name: "web" }] });
  }
  // Used while ExampleMockHttp.type = "EXPIRED".
  _v1_servers_EXPIRED(): MockResponse {
    return json(401, { error: "token expired" });
  }
}

function mockedDriver(): ExampleDriver {
  const driver = new ExampleDriver("tok-example");
  driver.connection.connCls = ExampleMockHttp;
  driver.connection.connect();
  return driver;
}

beforeEach(() => ExampleMockHttp.reset());

test("listServers sends the Bearer token and the limit, and returns the servers", async () => {
  assert.deepEqual(await mockedDriver().listServers(), [{ id: "srv-1", name: "web" }]);
  assert.equal(ExampleMockHttp.requests[0]!.headers["Authorization"], "Bearer tok-example");
  assert.match(ExampleMockHttp.visitedUrls[0]!, /^\/v1\/servers\?limit=100$/);
});

test("a 401 is InvalidCredsError", async () => {
  ExampleMockHttp.type = "EXPIRED";
  await assert.rejects(mockedDriver().listServers(), InvalidCredsError);
});
