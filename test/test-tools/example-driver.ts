// A tiny driver used by the driver-author tools' tests and by docs/TESTING-DRIVERS.md: a JSON API
// with Bearer auth set in addDefaultHeaders, and a job polled through PollingConnection.
import {
  BaseDriver, InvalidCredsError, JobFailedError, JsonResponse, PollingConnection, type ConnectionOptions,
} from "../../src/index.js";

/** Errors of the Example API are `{"error": {"message": "..."}}`. */
export class ExampleResponse extends JsonResponse {
  override parseError(): unknown {
    if (this.status === 401) throw new InvalidCredsError("Invalid API token");
    const parsed = super.parseError() as { error?: { message?: string } } | string;
    return typeof parsed === "string" ? parsed : parsed.error?.message ?? parsed;
  }
}

/** Bearer-token connection; a created server is a job polled at /v1/jobs/<id>. */
export class ExampleConnection extends PollingConnection {
  static override host = "api.example.test";
  static override responseCls = ExampleResponse;
  static override pollInterval = 5;
  /** Debug log and recording redact these body fields, wherever they appear. */
  static sensitiveBodyFields = ["rootPassword"];
  declare key: string;

  constructor(key: string, options: ConnectionOptions = {}) {
    super(options);
    Object.defineProperty(this, "key", { value: key, enumerable: false, writable: true });
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    headers["Authorization"] = `Bearer ${this.key}`;
    headers["Accept"] = "application/json";
    return headers;
  }

  override getPollRequestOptions({ response }: { response: any }): { action: string; method: string } {
    return { action: `/v1/jobs/${String(response.object.job)}`, method: "GET" };
  }

  override hasCompleted(response: any): boolean {
    const state = response.object.state as string;
    if (state === "failed") throw new JobFailedError(`Job ${String(response.object.id)} failed`);
    return state === "done";
  }
}

export interface ExampleServer {
  id: string;
  name: string;
  state: string;
}

/** The driver. */
export class ExampleDriver extends BaseDriver {
  static override connectionCls = ExampleConnection;
  override name = "Example";
  declare connection: ExampleConnection;

  async listServers(): Promise<ExampleServer[]> {
    const response = await this.connection.request<any>("/v1/servers");
    return (response.object.servers as ExampleServer[]).map((s) => ({ id: s.id, name: s.name, state: s.state }));
  }

  async createServer(name: string, rootPassword: string): Promise<ExampleServer> {
    const done = await this.connection.asyncRequest<any>("/v1/servers", {
      method: "POST", data: JSON.stringify({ name, rootPassword }), headers: { "Content-Type": "application/json" },
    });
    const id = done.object.resource as string;
    const response = await this.connection.request(`/v1/servers/${id}`);
    const server = response.object as ExampleServer;
    return { id: server.id, name: server.name, state: server.state };
  }
}
