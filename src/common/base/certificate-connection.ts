// Port of libcloud/common/base.py: CertificateConnection and KeyCertificateConnection.
import type { TransportOptions } from "../../http/libcloud-connection.js";
import { checkPemSource } from "../../http/tls.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import { defineSecret } from "./connection-key.js";

/** A connection that presents a client TLS certificate (`libcloud.common.base.CertificateConnection`). */
export class CertificateConnection extends Connection {
  /** Client certificate, PEM path or contents (certificate and key in one file is fine). */
  certFile: string;

  constructor(certFile: string, options: ConnectionOptions = {}) {
    super(options);
    checkPemSource(certFile, "Certificate"); // a missing or directory path fails here, not at the first request
    this.certFile = certFile;
  }

  protected override transportOptions(): TransportOptions {
    return { ...super.transportOptions(), certFile: this.certFile };
  }
}

/** Options of a KeyCertificateConnection. */
export interface KeyCertificateConnectionOptions extends ConnectionOptions {
  /** Passphrase of the key (never printed). */
  keyPassphrase?: string | undefined;
}

/**
 * A connection that presents a client certificate and its separate key
 * (`libcloud.common.base.KeyCertificateConnection`), optionally with extra CA certificates.
 */
export class KeyCertificateConnection extends CertificateConnection {
  static override optionNames: ReadonlySet<string> = new Set([...CertificateConnection.optionNames, "keyPassphrase"]);
  /** Client key, PEM path or contents (non-enumerable when given as contents). */
  declare keyFile: string;
  /** Passphrase of the key (non-enumerable, never printed). */
  declare keyPassphrase: string | undefined;

  constructor(keyFile: string, certFile: string, options: KeyCertificateConnectionOptions = {}) {
    const { keyPassphrase, ...rest } = options;
    super(certFile, rest);
    checkPemSource(keyFile, "Key");
    defineSecret(this, "keyFile", keyFile);
    defineSecret(this, "keyPassphrase", keyPassphrase);
  }

  protected override transportOptions(): TransportOptions {
    return { ...super.transportOptions(), keyFile: this.keyFile, keyPassphrase: this.keyPassphrase };
  }
}
