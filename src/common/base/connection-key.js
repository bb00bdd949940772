// Port of libcloud/common/base.py: ConnectionKey.
import { Connection } from "./connection.js";
/** Defines a credential property that util.inspect and JSON.stringify never show. */
export function defineSecret(target, name, value) {
    Object.defineProperty(target, name, { value, writable: true, enumerable: false, configurable: true });
}
/** A connection with a single `key` (`libcloud.common.base.ConnectionKey`). */
export class ConnectionKey extends Connection {
    constructor(key, options = {}) {
        super(options);
        defineSecret(this, "key", key);
    }
}
