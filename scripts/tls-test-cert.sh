#!/bin/sh
# Makes the public test certificates of fixtures/tls/: a test CA and a server certificate it signs
# for 127.0.0.1 and localhost, used by the mock's HTTPS listener (`mock --tls`, `run --mock-tls`).
# Run once; the output is committed. Nothing here is a secret: never use it outside tests.
set -eu
dir="$(cd "$(dirname "$0")/.." && pwd)/fixtures/tls"
days=7300 # twenty years: the tests must not start failing when a certificate expires
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
  -subj "/CN=bcda-conformance test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tmp/ca-key.pem" -out "$dir/ca.pem"

openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
  -keyout "$dir/server-key.pem" -out "$tmp/server.csr"
cat > "$tmp/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
openssl x509 -req -in "$tmp/server.csr" -CA "$dir/ca.pem" -CAkey "$tmp/ca-key.pem" -CAserial "$tmp/ca.srl" -CAcreateserial \
  -days "$days" -sha256 -extfile "$tmp/server.ext" -out "$dir/server.pem"
# The CA's key is thrown away: nothing else can be signed with this CA.
