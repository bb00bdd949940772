import { ConnectionKey } from "./connection-key.js";
/** A connection with a `userId` and a `key` (`libcloud.common.base.ConnectionUserAndKey`). */
export class ConnectionUserAndKey extends ConnectionKey {
    /** The user name or account id (libcloud's `user_id`). */
    userId;
    constructor(userId, key, options = {}) {
        super(key, options);
        this.userId = userId;
    }
}
