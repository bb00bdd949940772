// Port of libcloud/common/base.py: BaseDriver.
import { inspect, type InspectOptionsStylized } from "node:util";
import { inspectView, type InspectFunction } from "../../utils/show.js";
import { CONNECTION_OPTION_NAMES, type Connection, type ConnectionOptions } from "./connection.js";
import { ConnectionKey, defineSecret } from "./connection-key.js";
import { checkOptionKeys } from "./options.js";

/** Options of a driver's constructor. */
export interface BaseDriverOptions extends Omit<ConnectionOptions, "url"> {
  /** API version, for drivers that support several. */
  apiVersion?: string | undefined;
  /** Region, for drivers that support several. */
  region?: string | undefined;
}

/**
 * A connection class a driver can use: one credential or two, then the options (a subclass's
 * options type extends ConnectionOptions).
 */
export type DriverConnectionClass =
  | (new (key: string, options?: ConnectionOptions) => Connection)
  | (new (key: string, secret: string, options?: ConnectionOptions) => Connection);

/** The option names BaseDriver accepts. */
export const DRIVER_OPTION_NAMES: ReadonlySet<string> = new Set([...CONNECTION_OPTION_NAMES].filter((n) => n !== "url").concat(["apiVersion", "region"]));

/**
 * Base driver class (`libcloud.common.base.BaseDriver`): keeps the credentials and builds the
 * connection from `static connectionCls`, with `secret` as a second credential when given.
 *
 * `C` is the type of `this.connection`: name the connection class there and in `connectionCls`
 * (`class D extends BaseDriver<C> { static override connectionCls = C }`), and the driver's
 * requests resolve to C's response classes.
 */
export class BaseDriver<C extends Connection = Connection> {
  /** The connection class. @defaultValue ConnectionKey */
  static connectionCls: DriverConnectionClass = ConnectionKey;
  /** The option names the constructor accepts; drivers that take more extend it. */
  static optionNames: ReadonlySet<string> = DRIVER_OPTION_NAMES;

  /** Human-readable driver name (used in the User-Agent). */
  name = "";
  /** Provider's website. */
  website = "";
  /** API key or user name (non-enumerable). */
  declare key: string;
  /** Secret (non-enumerable). */
  declare secret: string | undefined;
  /** Whether the connection uses https. */
  secure: boolean;
  /** API version, for drivers that support several. */
  apiVersion: string | undefined;
  /** Region, for drivers that support several. */
  region: string | undefined;
  /** The connection, built from the class's `connectionCls` (of type `C`). */
  connection: C;

  constructor(key: string, secret?: string | BaseDriverOptions, options: BaseDriverOptions = {}) {
    if (typeof secret === "object" && secret !== null) {
      options = secret;
      secret = undefined;
    }
    const cls = new.target;
    checkOptionKeys(options, cls.optionNames, cls.name);
    defineSecret(this, "key", key);
    defineSecret(this, "secret", secret);
    this.apiVersion = options.apiVersion;
    this.region = options.region;
    const { apiVersion: _a, region: _r, ...connectionOptions } = options;
    // libcloud's merge: the hook's options first, then every option the constructor was given
    // (a given value wins; one left out or undefined leaves the hook's).
    const merged: Record<string, unknown> = { ...this.exConnectionClassKwargs() };
    for (const [k, v] of Object.entries(connectionOptions)) if (v !== undefined) merged[k] = v;
    for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
    this.secure = typeof merged["secure"] === "boolean" ? merged["secure"] : true;
    merged["secure"] = this.secure;
    // Which of the two constructor shapes connectionCls has is known only at run time, as in libcloud.
    const ConnectionCls = cls.connectionCls as new (key: string, secretOrOptions?: string | ConnectionOptions, options?: ConnectionOptions) => Connection;
    const connection = secret === undefined ? new ConnectionCls(key, merged) : new ConnectionCls(key, secret, merged);
    this.connection = connection as C;
    this.connection.driver = this;
    this.connection.connect();
  }

  /**
   * Extra connection options (`_ex_connection_class_kwargs`); runs during construction, before
   * subclass fields are set. An option given to the driver's constructor wins over the same key here.
   */
  exConnectionClassKwargs(): Record<string, unknown> {
    return {};
  }

  /** Shown as its summary (toJSON): never the credentials, even with showHidden. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** A summary that never includes credentials. */
  toJSON(): Record<string, unknown> {
    return { class: this.constructor.name, name: this.name, secure: this.secure, region: this.region, apiVersion: this.apiVersion };
  }
}
