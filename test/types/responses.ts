// Type tests: what request(), asyncRequest() and the response classes resolve to. Never run.
import {
  ConnectionKey, JsonResponse, PollingConnection, RawResponse, XmlResponse, type Element, type ResponseOf,
} from "libcloud-ts";

class ProviderResponse extends JsonResponse {
  /** A member of the provider's own class: visible on request()'s result once the field is narrowed. */
  requestId(): string | undefined {
    return this.headers["x-request-id"];
  }
}
class ProviderRaw extends RawResponse {}

class ProviderConnection extends ConnectionKey {
  static override responseCls = ProviderResponse;
  static override rawResponseCls = ProviderRaw;
  declare responseCls: typeof ProviderResponse;
  declare rawResponseCls: typeof ProviderRaw;
}

const c = new ProviderConnection("k");
const typed = await c.request<{ id: number }>("/x");
const requestId: string | undefined = typed.requestId();
const typedId: number = typed.object.id;
const asProvider: ProviderResponse = typed;
// @ts-expect-error the object is typed
const typedWrong: string = typed.object.id;
const streamed = await c.request("/x", { stream: true });
const asRaw: ProviderRaw = streamed;
// @ts-expect-error a streamed response has no object
streamed.object;
// @ts-expect-error a raw response is not the buffered response class
const notBuffered: ProviderResponse = await c.request("/x", { raw: true });
// raw: false is a buffered request.
const buffered: ProviderResponse = await c.request("/x", { raw: false });
// A boolean known only at run time gives either.
declare const maybeRaw: boolean;
const either = await c.request("/x", { raw: maybeRaw });
// @ts-expect-error it may be raw
either.object;
// @ts-expect-error request() takes only its own option names
await c.request("/x", { retries: 3 });

// XmlResponse's object is an Element.
class XmlConnection extends ConnectionKey {
  static override responseCls = XmlResponse;
  declare responseCls: typeof XmlResponse;
}
const xml = await new XmlConnection("k").request("/x");
const root: Element = xml.object;
const text: string | null = root.findtext("Name");

// PollingConnection.asyncRequest<T>() resolves like request<T>().
class Jobs extends PollingConnection {
  static override responseCls = JsonResponse;
  declare responseCls: typeof JsonResponse;
  override getPollRequestOptions() {
    return { action: "/job" };
  }
  override hasCompleted(response: JsonResponse<{ done: boolean }>): boolean {
    return response.object.done;
  }
}
const job = await new Jobs().asyncRequest<{ done: boolean; result: string }>("/jobs", { method: "POST" });
const result: string = job.object.result;
const asJson: JsonResponse = job;
// @ts-expect-error the object is typed
const resultWrong: number = job.object.result;
// @ts-expect-error unknown unless a type is given
(await new Jobs().asyncRequest("/jobs")).object.result;
const viaType: ResponseOf<Jobs, { done: boolean }> = job;

export { requestId, typedId, asProvider, typedWrong, asRaw, notBuffered, buffered, root, text, result, asJson, resultWrong, viaType };
