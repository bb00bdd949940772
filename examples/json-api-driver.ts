// Example: a driver for a small JSON API, run against a loopback server that this program starts.
// Run: npm run build && node dist/examples/json-api-driver.js
// In your own project the imports are the same: `libcloud-ts` is the package's main entry point.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidCredsError } from "libcloud-ts";
import { ExampleDriver } from "./example-driver.js";

/** A stand-in for the real API: it wants `Authorization: Bearer s3cret` and answers /v1/servers. */
function startApi(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== "Bearer s3cret") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "bad token" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ servers: [{ id: "srv-1", name: "web" }, { id: "srv-2", name: "db" }] }));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const api = await startApi();
const { port } = api.address() as AddressInfo;
try {
  const driver = new ExampleDriver("s3cret", { host: "127.0.0.1", port, secure: false });
  for (const server of await driver.listServers()) console.log(`server ${server.id} ${server.name}`);

  const wrongKey = new ExampleDriver("wrong", { host: "127.0.0.1", port, secure: false });
  try {
    await wrongKey.listServers();
    throw new Error("a wrong token was accepted");
  } catch (error) {
    if (!(error instanceof InvalidCredsError)) throw error;
    console.log(`wrong token -> ${error.name}`);
  }
} finally {
  api.close();
}
