// libcloud's test_base_driver.py, translated: how BaseDriver merges its constructor options with
// exConnectionClassKwargs() (`_ex_connection_class_kwargs`), checked on the connection it builds and
// on a request through it to a loopback server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BaseDriver, ConnectionKey, JsonResponse, type ConnectionOptions } from "../../src/index.js";
import { sendJson, startServer, type TestServer } from "../helpers/server.js";

/** A connection that keeps the options it was built with (libcloud's test uses a Mock). */
class RecordingConnection extends ConnectionKey {
  static override responseCls = JsonResponse;
  static calls: ConnectionOptions[] = [];
  constructor(key: string, options: ConnectionOptions = {}) {
    super(key, options);
    RecordingConnection.calls.push({ ...options });
  }
}

function lastCall(): ConnectionOptions {
  const call = RecordingConnection.calls.at(-1);
  assert.ok(call !== undefined, "the driver built no connection");
  return call;
}

describe("BaseDriver (libcloud: test_base_driver.py)", () => {
  test("libcloud: test_timeout_argument_propagation_and_preservation", () => {
    // 1. No timeout provided.
    class DummyDriver1 extends BaseDriver {
      static override connectionCls = RecordingConnection;
    }
    new DummyDriver1("foo");
    assert.equal(lastCall().timeout, undefined);
    assert.equal(lastCall().retryDelay, undefined);

    // 2. Timeout provided as a constructor argument.
    new DummyDriver1("foo", { timeout: 12 });
    assert.equal(lastCall().timeout, 12);
    assert.equal(lastCall().retryDelay, undefined);

    // 3. Timeout provided by exConnectionClassKwargs().
    class DummyDriver2 extends BaseDriver {
      static override connectionCls = RecordingConnection;
      override exConnectionClassKwargs(): Record<string, unknown> {
        return { timeout: 13 };
      }
    }
    const d3 = new DummyDriver2("foo");
    assert.equal(lastCall().timeout, 13);
    assert.equal(d3.connection.timeout, 13);

    // 4. Provided by exConnectionClassKwargs() and by the constructor: the constructor wins.
    const d4 = new DummyDriver2("foo", { timeout: 14, retryDelay: 10 });
    assert.equal(lastCall().timeout, 14);
    assert.equal(lastCall().retryDelay, 10);
    assert.equal(d4.connection.timeout, 14);
    assert.equal(d4.connection.retryDelay, 10);
  });

  test("an option given as undefined leaves the hook's value; secure follows the same rule", () => {
    class Hooked extends BaseDriver {
      static override connectionCls = RecordingConnection;
      override exConnectionClassKwargs(): Record<string, unknown> {
        return { timeout: 13, secure: false, port: 8080 };
      }
    }
    const d = new Hooked("foo", { timeout: undefined });
    assert.equal(d.connection.timeout, 13);
    assert.equal(d.secure, false);
    assert.equal(d.connection.secure, false);
    assert.equal(d.connection.port, 8080);
    const given = new Hooked("foo", { secure: true, port: 9090 });
    assert.equal(given.secure, true);
    assert.equal(given.connection.secure, true);
    assert.equal(given.connection.port, 9090);
  });

  describe("the merged options reach the wire", () => {
    let server: TestServer;
    before(async () => {
      server = await startServer((req, res) => sendJson(res, 200, { url: req.url }));
    });
    after(() => server.close());

    test("the constructor's host and port win over the hook's", async () => {
      class Elsewhere extends BaseDriver {
        static override connectionCls = RecordingConnection;
        override exConnectionClassKwargs(): Record<string, unknown> {
          return { host: "192.0.2.1", port: 9, secure: false, timeout: 13 };
        }
      }
      const d = new Elsewhere("foo", { host: "127.0.0.1", port: server.port, timeout: 5_000 });
      const response = await d.connection.request("/merged");
      assert.deepEqual(response.object, { url: "/merged" });
      assert.equal(d.connection.timeout, 5_000);
      await d.connection.close();
    });
  });
});
