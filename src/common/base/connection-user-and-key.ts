// Port of libcloud/common/base.py: ConnectionUserAndKey.
import type { ConnectionOptions } from "./connection.js";
import { ConnectionKey } from "./connection-key.js";

/** A connection with a `userId` and a `key` (`libcloud.common.base.ConnectionUserAndKey`). */
export class ConnectionUserAndKey extends ConnectionKey {
  /** The user name or account id (libcloud's `user_id`). */
  userId: string;

  constructor(userId: string, key: string, options: ConnectionOptions = {}) {
    super(key, options);
    this.userId = userId;
  }
}
