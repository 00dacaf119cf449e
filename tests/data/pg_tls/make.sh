#!/bin/sh
# Test-only TLS material for the PostgreSQL ledger tests (made with the
# openssl command line, never with certcheck). .ci/run starts its cluster
# with ssl=on and server.crt/server.key; tests/ledger.rs connects with
# sslmode=verify-full&sslrootcert=ca.crt to "localhost" (the only name the
# server certificate holds), and expects 127.0.0.1 (not in it) to fail
# verify-full but pass verify-ca, and other-ca.crt to fail both.
# These keys protect nothing: they exist only for throw-away test clusters.
set -eu
cd "$(dirname "$0")"
days=7300
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout ca.key -out ca.crt -days $days -subj "/CN=certcheck test ledger CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout other-ca.key -out other-ca.crt -days $days -subj "/CN=some other CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -out server.crt -days $days -extfile server.ext
rm -f server.csr server.ext ca.srl ca.key other-ca.key
chmod 600 server.key
