// Port of libcloud/common/base.py: JsonResponse.
import { MalformedResponseError } from "../types.js";
import { Response } from "./response.js";
/**
 * A response whose body is JSON (`libcloud.common.base.JsonResponse`). `T` is the type of the
 * parsed body (`unknown` unless stated); an empty body is `""` unless `parseZeroLengthBody`.
 */
export class JsonResponse extends Response {
    /** `JSON.parse(body)`; an empty body stays `""` unless `parseZeroLengthBody`. */
    parseBody() {
        if (this.body.length === 0 && !this.parseZeroLengthBody)
            return this.body;
        try {
            return JSON.parse(this.body);
        }
        catch (cause) {
            throw new MalformedResponseError("Failed to parse JSON", {
                body: this.body,
                driver: this.connection.driver,
                cause,
            });
        }
    }
    parseError() {
        return this.parseBody();
    }
}
