// A loopback Example API (see example-driver.ts) for the driver-author tools' tests.
import { sendJson, startServer, type TestServer } from "../helpers/server.js";

/** Starts the Example API; `token` is the only accepted Bearer token. A job takes two polls. */
export async function startExampleApi(token: string): Promise<TestServer> {
  const servers = [{ id: "srv-1", name: "web", state: "running" }];
  const jobs = new Map<string, number>();
  const passwords = new Map<string, string>();
  return startServer((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: { message: "bad token" } });
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/v1/servers") return sendJson(res, 200, { servers });
    if (req.method === "POST" && path === "/v1/servers") {
      const { name, rootPassword } = JSON.parse(body.toString()) as { name: string; rootPassword: string };
      const id = `srv-${servers.length + 1}`;
      servers.push({ id, name, state: "running" });
      passwords.set(id, rootPassword); // echoed back by GET /v1/servers/<id>, as careless APIs do
      jobs.set(`job-${id}`, 0);
      return sendJson(res, 202, { job: `job-${id}`, state: "pending" });
    }
    const job = /^\/v1\/jobs\/(job-srv-\d+)$/.exec(path ?? "");
    if (req.method === "GET" && job) {
      const polls = (jobs.get(job[1]!) ?? 0) + 1;
      jobs.set(job[1]!, polls);
      return sendJson(res, 200, { id: job[1], state: polls >= 2 ? "done" : "running", resource: job[1]!.slice(4) });
    }
    const server = /^\/v1\/servers\/(srv-\d+)$/.exec(path ?? "");
    const found = server ? servers.find((s) => s.id === server[1]) : undefined;
    if (req.method === "GET" && found) return sendJson(res, 200, { ...found, rootPassword: passwords.get(found.id) }, { "x-echo-authorization": `Bearer ${token}` });
    return sendJson(res, 404, { error: { message: `no route ${req.method ?? ""} ${path ?? ""}` } });
  });
}
