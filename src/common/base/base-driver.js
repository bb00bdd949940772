// Port of libcloud/common/base.py: BaseDriver.
import { CONNECTION_OPTION_NAMES } from "./connection.js";
import { ConnectionKey, defineSecret } from "./connection-key.js";
import { checkOptionKeys } from "./options.js";
/** The option names BaseDriver accepts. */
export const DRIVER_OPTION_NAMES = new Set([...CONNECTION_OPTION_NAMES].filter((n) => n !== "url").concat(["apiVersion", "region"]));
/**
 * Base driver class (`libcloud.common.base.BaseDriver`): keeps the credentials and builds the
 * connection from `static connectionCls`, with `secret` as a second credential when given.
 *
 * `C` is the type of `this.connection`: name the connection class there and in `connectionCls`
 * (`class D extends BaseDriver<C> { static override connectionCls = C }`), and the driver's
 * requests resolve to C's response classes.
 */
export class BaseDriver {
    /** The connection class. @defaultValue ConnectionKey */
    static connectionCls = ConnectionKey;
    /** The option names the constructor accepts; drivers that take more extend it. */
    static optionNames = DRIVER_OPTION_NAMES;
    /** Human-readable driver name (used in the User-Agent). */
    name = "";
    /** Provider's website. */
    website = "";
    /** Whether the connection uses https. */
    secure;
    /** API version, for drivers that support several. */
    apiVersion;
    /** Region, for drivers that support several. */
    region;
    /** The connection, built from the class's `connectionCls` (of type `C`). */
    connection;
    constructor(key, secret, options = {}) {
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
        const merged = { ...this.exConnectionClassKwargs() };
        for (const [k, v] of Object.entries(connectionOptions))
            if (v !== undefined)
                merged[k] = v;
        for (const k of Object.keys(merged))
            if (merged[k] === undefined)
                delete merged[k];
        this.secure = typeof merged["secure"] === "boolean" ? merged["secure"] : true;
        merged["secure"] = this.secure;
        // Which of the two constructor shapes connectionCls has is known only at run time, as in libcloud.
        const ConnectionCls = cls.connectionCls;
        const connection = secret === undefined ? new ConnectionCls(key, merged) : new ConnectionCls(key, secret, merged);
        this.connection = connection;
        this.connection.driver = this;
        this.connection.connect();
    }
    /**
     * Extra connection options (`_ex_connection_class_kwargs`); runs during construction, before
     * subclass fields are set. An option given to the driver's constructor wins over the same key here.
     */
    exConnectionClassKwargs() {
        return {};
    }
    /** A summary that never includes credentials. */
    toJSON() {
        return { class: this.constructor.name, name: this.name, secure: this.secure, region: this.region, apiVersion: this.apiVersion };
    }
}
