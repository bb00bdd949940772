// Port of libcloud/common/base.py: JsonResponse.
import { MalformedResponseError } from "../types.js";
import { Response } from "./response.js";

/**
 * A response whose body is JSON (`libcloud.common.base.JsonResponse`). `T` is the type of the
 * parsed body (`unknown` unless stated); an empty body is `""` unless `parseZeroLengthBody`.
 */
export class JsonResponse<T = unknown> extends Response<T> {
  /** `JSON.parse(body)`; an empty body stays `""` unless `parseZeroLengthBody`. */
  override parseBody(): unknown {
    if (this.body.length === 0 && !this.parseZeroLengthBody) return this.body;
    try {
      return JSON.parse(this.body) as unknown;
    } catch (cause) {
      throw new MalformedResponseError("Failed to parse JSON", {
        body: this.body,
        driver: this.connection.driver,
        cause,
      });
    }
  }

  override parseError(): unknown {
    return this.parseBody();
  }
}
