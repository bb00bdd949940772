import { checkPemSource } from "../../http/tls.js";
import { Connection } from "./connection.js";
import { defineSecret } from "./connection-key.js";
/** A connection that presents a client TLS certificate (`libcloud.common.base.CertificateConnection`). */
export class CertificateConnection extends Connection {
    /** Client certificate, PEM path or contents (certificate and key in one file is fine). */
    certFile;
    constructor(certFile, options = {}) {
        super(options);
        checkPemSource(certFile, "Certificate"); // a missing or directory path fails here, not at the first request
        this.certFile = certFile;
    }
    transportOptions() {
        return { ...super.transportOptions(), certFile: this.certFile };
    }
}
/**
 * A connection that presents a client certificate and its separate key
 * (`libcloud.common.base.KeyCertificateConnection`), optionally with extra CA certificates.
 */
export class KeyCertificateConnection extends CertificateConnection {
    static optionNames = new Set([...CertificateConnection.optionNames, "keyPassphrase"]);
    constructor(keyFile, certFile, options = {}) {
        const { keyPassphrase, ...rest } = options;
        super(certFile, rest);
        checkPemSource(keyFile, "Key");
        defineSecret(this, "keyFile", keyFile);
        defineSecret(this, "keyPassphrase", keyPassphrase);
    }
    transportOptions() {
        return { ...super.transportOptions(), keyFile: this.keyFile, keyPassphrase: this.keyPassphrase };
    }
}
