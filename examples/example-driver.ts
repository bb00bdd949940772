// Example: a driver for a small JSON API ("Example", Bearer-token auth). json-api-driver.ts runs
// it against a loopback server; driver-test-with-mockhttp.ts tests it with MockHttp.
import { BaseDriver, ConnectionKey, InvalidCredsError, JsonResponse, type LibcloudRequest } from "libcloud-ts";

/** One server as the API lists it. */
export interface ApiServer { id: string; name: string }

/** Maps the API's 401 to libcloud's InvalidCredsError; anything else as JsonResponse does. */
export class ExampleResponse extends JsonResponse {
  override parseError(): unknown {
    if (this.status === 401) throw new InvalidCredsError(this.body);
    return super.parseError();
  }
}

/** Bearer-token auth in the one hook libcloud gives for it. */
export class ExampleConnection extends ConnectionKey {
  static override host = "api.example.com";
  static override responseCls = ExampleResponse;
  override addDefaultHeaders(headers: Record<string, string>, _request?: LibcloudRequest): Record<string, string> {
    return { ...headers, Authorization: `Bearer ${this.key}` };
  }
}

/** The driver: one method per API call. */
export class ExampleDriver extends BaseDriver {
  static override connectionCls = ExampleConnection;
  override name = "Example";
  async listServers(): Promise<ApiServer[]> {
    const response = await this.connection.request("/v1/servers", { params: { limit: 100 }, retryFailed: true });
    return (response.object as { servers: ApiServer[] }).servers;
  }
}
