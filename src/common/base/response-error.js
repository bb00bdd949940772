// Port of libcloud/common/base.py: the `raise exception_from_message(...)` of Response.__init__,
// with libcloud-ts's rules for error bodies that do not parse (PORTING 12) and empty ones (13).
import { exceptionFromMessage } from "../exceptions.js";
import { LibcloudError, MalformedResponseError, setStatusCode } from "../types.js";
/**
 * The error for a failed response, used by the response constructor and by `request()` for raw
 * responses: `exceptionFromMessage(status, parseError(), headers)`; a typed error that
 * `parseError()` throws itself, given the response's `statusCode` when it has none (a 404 mapped to
 * `ObjectDoesNotExistError`); for an error body that does not parse, the status's own error with the
 * body as message and the parse error as `cause`; for an empty body, the status line as message.
 */
export function errorForResponse(response, body) {
    const reason = response.error ?? response.reason ?? "";
    let parsed;
    try {
        parsed = response.parseError();
    }
    catch (error) {
        if (!(error instanceof MalformedResponseError)) {
            if (error instanceof LibcloudError && error.statusCode === undefined)
                setStatusCode(error, response.status);
            return error;
        }
        const failure = exceptionFromMessage(response.status, body === "" ? `${response.status} ${reason}`.trim() : body, response.headers);
        Object.defineProperty(failure, "cause", { value: error, writable: true, configurable: true, enumerable: false });
        return failure;
    }
    return exceptionFromMessage(response.status, parsed === "" ? `${response.status} ${reason}`.trim() : parsed, response.headers);
}
