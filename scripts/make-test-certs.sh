#!/usr/bin/env bash
# Generates the TLS test fixtures in test/fixtures/tls: two test CAs, server certificates
# (good, wrong host, wildcard/look-alike names, expired, not yet valid, issued by a CA:FALSE
# certificate, self-signed) and client certificates. The PEMs are committed, so tests never need
# openssl; rerun this only to regenerate them. Everything lives 100 years except the deliberately
# expired and not-yet-valid certificates. Test material only: these keys protect nothing.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/tls"
rm -rf ./*.pem ./*.key ./.ca
DAYS=36500
SUBJ="/O=libcloud-ts tests"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca <name> <CN>: a self-signed CA
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days $DAYS -subj "$SUBJ/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

# leaf <name> <issuer> <CN> <extensions>
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$SUBJ/CN=$3" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -sha256 -days $DAYS \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

SERVER_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
CLIENT_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth'

ca ca "libcloud-ts Test CA"
ca ca2 "libcloud-ts Second Test CA"
leaf server ca localhost "$SERVER_EXT"
leaf server-ca2 ca2 localhost "$SERVER_EXT"
leaf wrong-host ca not-localhost.com $'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:not-localhost.com'
# S3: "*.example.com" must not match "a.b.example.com", "aexample.com" must not match "example.com".
leaf names ca b.example.com $'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.example.com,DNS:aexample.com'
leaf client ca libcloud-test-client "$CLIENT_EXT"
leaf client-ca2 ca2 libcloud-other-client "$CLIENT_EXT"
# The client key again, encrypted with the passphrase "test-passphrase".
openssl pkey -in client.key -aes256 -passout pass:test-passphrase -out client-encrypted.key
# A key that matches no certificate.
key other.key

# An issuer that is not a CA (basicConstraints CA:FALSE), and a localhost leaf it signed.
leaf not-a-ca ca "Not A CA" $'basicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature,keyCertSign'
leaf by-not-a-ca not-a-ca localhost "$SERVER_EXT"
cat by-not-a-ca.pem not-a-ca.pem > by-not-a-ca-chain.pem

# Self-signed localhost.
key self-signed.key
openssl req -x509 -new -key self-signed.key -sha256 -days $DAYS -subj "$SUBJ/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out self-signed.pem

# Expired (2000-2001) and not yet valid (2090-2190), signed by the test CA through `openssl ca`,
# the one command of OpenSSL 3.0 that takes explicit validity dates.
mkdir -p .ca && : > .ca/index.txt && echo 1000 > .ca/serial
cat > .ca/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = .ca
database = .ca/index.txt
serial = .ca/serial
new_certs_dir = .ca
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
organizationName = optional
[server]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
CNF
dated() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$SUBJ/CN=localhost" -out "$1.csr"
  openssl ca -batch -config .ca/ca.cnf -extensions server -startdate "$2" -enddate "$3" -notext \
    -in "$1.csr" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr"
}
dated expired 20000101000000Z 20010101000000Z
dated not-yet-valid 20900101000000Z 21900101000000Z
rm -rf .ca ./*.srl
echo "TLS fixtures written to $(pwd)"
