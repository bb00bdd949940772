// The per-request state that libcloud keeps on the connection (self.action, self.method, self.data,
// self.context). Here each request gets its own object, handed to every hook as the last argument
// and made visible as this.action/this.method/this.data/this.context for the request's own async
// call tree, so concurrent requests on one connection never see each other's state.
import { AsyncLocalStorage } from "node:async_hooks";
/** @internal */
export const requestScope = new AsyncLocalStorage();
/** The request in flight for `connection` in the current async call tree, if any. */
export function currentRequest(connection) {
    const scope = requestScope.getStore();
    return scope !== undefined && scope.connection === connection ? scope.request : undefined;
}
