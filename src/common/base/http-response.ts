// Port of libcloud/common/base.py: HTTPResponse. It lives in src/http/http-response.ts, the layer
// that builds it (the transport); kept here so imports of the old path still resolve.
export { HTTPResponse } from "../../http/http-response.js";
export type { HTTPResponseInit } from "../../http/http-response.js";
