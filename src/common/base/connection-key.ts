// Port of libcloud/common/base.py: ConnectionKey.
import { Connection, type ConnectionOptions } from "./connection.js";

/** Defines a credential property that util.inspect and JSON.stringify never show. */
export function defineSecret(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, enumerable: false, configurable: true });
}

/** A connection with a single `key` (`libcloud.common.base.ConnectionKey`). */
export class ConnectionKey extends Connection {
  /** The API key (non-enumerable: never printed by inspect or JSON). */
  declare key: string;

  constructor(key: string, options: ConnectionOptions = {}) {
    super(options);
    defineSecret(this, "key", key);
  }
}
