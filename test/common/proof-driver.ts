// A proof driver written only against the public API: a JSON API with Bearer auth and a job
// that is started with POST and polled until done. Used by the core tests and docs/TESTING-DRIVERS.md.
import { BaseDriver, JobFailedError, JsonResponse, PollingConnectionKey, type LibcloudRequest } from "../../src/index.js";

export class JobsResponse extends JsonResponse {}

export class JobsConnection extends PollingConnectionKey {
  static override responseCls = JobsResponse;
  static override pollInterval = 1000;
  override addDefaultHeaders(headers: Record<string, string>, _request?: LibcloudRequest) {
    return { ...headers, Authorization: `Bearer ${this.key}`, Accept: "application/json" };
  }
  override getPollRequestOptions({ response }: { response: JobsResponse }) {
    return { action: `/jobs/${(response.object as { id: string }).id}` };
  }
  override hasCompleted(response: JobsResponse): boolean {
    const { state, reason } = response.object as { state: string; reason?: string };
    if (state === "failed") throw new JobFailedError(`Job failed: ${reason ?? "unknown"}`);
    return state === "done";
  }
}

export class JobsDriver extends BaseDriver {
  static override connectionCls = JobsConnection;
  override name = "Jobs";
  declare connection: JobsConnection;
  async listThings(): Promise<string[]> {
    return (await this.connection.request<{ things: string[] }>("/things", { retryFailed: true })).object.things;
  }
  async runJob(task: string, signal?: AbortSignal): Promise<unknown> {
    return (await this.connection.asyncRequest("/jobs", { method: "POST", data: JSON.stringify({ task }), signal })).object;
  }
}
