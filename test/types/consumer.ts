// Type tests for consumers: compiled by `npm run build` (test/types/tsconfig.json) against the built
// package's declarations, never run. A `@ts-expect-error` whose line stops being an error fails the build.
import { BaseDriver, ConnectionKey, JsonResponse } from "libcloud-ts";

// The contract of issue 12 §1, as given.
class C extends ConnectionKey { static override responseCls = JsonResponse; }
class D extends BaseDriver<C> { static override connectionCls = C; }
const d = new D("k");
const r = await d.connection.request<{ servers: { id: string }[] }>("/v1/servers");
const id: string = r.object.servers[0]!.id;
// @ts-expect-error the object is typed
const n: number = r.object.servers;
const raw = await d.connection.request("/x", { raw: true });
// @ts-expect-error a raw response has no object
raw.object;
const chunks: AsyncIterable<Buffer> = raw.iterContent();
// @ts-expect-error unknown unless a type is given
(await d.connection.request("/x")).object.foo;

export { id, n, chunks };
