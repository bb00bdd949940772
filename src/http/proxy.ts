// Port of libcloud/http.py: LibcloudBaseConnection._parse_proxy_url, and the environment lookup.
import { inspect } from "node:util";
import { ConfigError } from "../common/types.js";

/** A parsed proxy URL. The password is kept out of enumeration so it is never printed. */
export interface ProxyConfig {
  /** The proxy's scheme: an https proxy is itself reached over TLS. */
  scheme: "http" | "https";
  /** The proxy's host name or IP literal (no brackets). */
  host: string;
  /** The proxy's port. */
  port: number;
  /** The user name, percent-decoded, if the URL had one. */
  username: string | undefined;
  /** Non-enumerable: never shown by util.inspect or JSON.stringify. */
  password: string | undefined;
  /** The URL with the password removed, safe to print. */
  display: string;
  /** The URL as given (with credentials); non-enumerable. */
  href: string;
}

const PROXY_FORMAT = "proxy_url must be in the following format: http://<proxy host>:<proxy port> or http://<username>:<password>@<proxy host>:<proxy port>";

/**
 * Parses `http://host:port` or `http://user:pass@host:port` (https proxies too). Userinfo is
 * percent-decoded exactly once. A malformed URL throws libcloud's format error without echoing it.
 * Userinfo without a ":" (`http://user@host:3128`, or the empty `http://@host:3128`) is refused,
 * as libcloud's `_parse_proxy_url` refuses it ("URL is in an invalid format"): a user without a
 * password is most often a password lost to quoting, and sending the proxy `user:` would hide that.
 * Either side of the ":" may be empty (`user:@`, `:token@`), as in libcloud.
 */
export function parseProxyUrl(url: string): ProxyConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(PROXY_FORMAT);
  }
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  if (at >= 0 && !authority.slice(0, at).includes(":")) {
    throw new ConfigError(`${PROXY_FORMAT} (the credentials must be <username>:<password>; a username without a password, or an empty one before "@", is refused as libcloud refuses it)`);
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") throw new ConfigError(`${PROXY_FORMAT} (unsupported proxy scheme "${scheme}")`);
  if (parsed.hostname === "") throw new ConfigError(PROXY_FORMAT);
  if ((parsed.pathname !== "/" && parsed.pathname !== "") || parsed.search !== "" || parsed.hash !== "") throw new ConfigError(PROXY_FORMAT);
  const port = parsed.port === "" ? (scheme === "https" ? 443 : 80) : Number(parsed.port);
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = parsed.username === "" ? undefined : decodeURIComponent(parsed.username);
    password = parsed.password === "" ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw new ConfigError(`${PROXY_FORMAT} (bad percent-encoding in the credentials)`);
  }
  const host = parsed.hostname;
  const display = `${scheme}://${username === undefined ? "" : `${encodeURIComponent(username)}${password === undefined ? "" : ":REDACTED"}@`}${host}:${port}`;
  const config = { scheme, host, port, username, display } as ProxyConfig;
  Object.defineProperty(config, "password", { value: password, enumerable: false });
  Object.defineProperty(config, "href", { value: url, enumerable: false });
  // Shown as its display form, even with showHidden (the redaction rule, src/utils/show.ts).
  Object.defineProperty(config, inspect.custom, { value: () => `ProxyConfig ${JSON.stringify(display)}`, enumerable: false });
  return config;
}

/** The Proxy-Authorization value for a proxy with credentials (either part may be empty), else undefined. */
export function proxyAuthorization(config: ProxyConfig): string | undefined {
  if (config.username === undefined && config.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${config.username ?? ""}:${config.password ?? ""}`, "utf8").toString("base64")}`;
}

/** Whether `host:port` is excluded from proxying by a NO_PROXY list. */
export function matchesNoProxy(noProxy: string, host: string, port: number): boolean {
  const target = host.toLowerCase().replace(/\.$/, "").replace(/^\[|\]$/g, "");
  for (let entry of noProxy.split(/[,\s]+/)) {
    entry = entry.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort: number | undefined;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracket) {
      entry = bracket[1]!;
      if (bracket[2] !== undefined) entryPort = Number(bracket[2]);
    } else {
      const m = /^([^:]+):(\d+)$/.exec(entry);
      if (m) {
        entry = m[1]!;
        entryPort = Number(m[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/\.$/, "");
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (entry.startsWith(".")) {
      if (target.endsWith(entry) || target === entry.slice(1)) return true;
    } else if (target === entry || target.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/**
 * The proxy for a target from the environment: `https_proxy` for https targets, `http_proxy` for
 * http ones (lower case wins over upper case, even when empty), unless NO_PROXY excludes the target.
 */
export function proxyFromEnvironment(secure: boolean, host: string, port: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pick = (name: string): [string, string] | undefined => {
    const value = env[name] ?? env[name.toUpperCase()];
    return value === undefined ? undefined : [env[name] === undefined ? name.toUpperCase() : name, value];
  };
  const found = secure ? pick("https_proxy") : pick("http_proxy");
  if (found === undefined || found[1].trim() === "") return undefined;
  const noProxy = pick("no_proxy");
  if (noProxy !== undefined && matchesNoProxy(noProxy[1], host, port)) return undefined;
  const value = found[1].trim();
  try {
    parseProxyUrl(value);
  } catch (error) {
    // Name the variable, never its value (it may hold a password).
    throw new ConfigError(`${(error as Error).message} (from the ${found[0]} environment variable)`);
  }
  return value;
}
