// Port of libcloud/common/base.py: XmlResponse.
import { parseXml } from "../../utils/xml.js";
import { MalformedResponseError } from "../types.js";
import { Response } from "./response.js";
/**
 * A response whose body is XML (`libcloud.common.base.XmlResponse`): `object` is the root of an
 * ElementTree-style tree. External entities and DTD entity expansion are never processed. An empty
 * body is not parsed (libcloud's rule): `object` is then `""` unless `parseZeroLengthBody`, so a
 * driver reading a call that may answer with no body checks for it.
 */
export class XmlResponse extends Response {
    parseBody() {
        if (this.body.length === 0 && !this.parseZeroLengthBody)
            return this.body;
        try {
            return parseXml(this.body);
        }
        catch (cause) {
            throw new MalformedResponseError("Failed to parse XML", {
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
