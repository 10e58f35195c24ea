#!/bin/bash
# Writes development secrets for docker-compose.yml into infra/docker/secrets/ (git-ignored):
# a random SCRAM secret per principal of the ACL table, as the broker reads them (kafka-users)
# and one file per service (kafka-<service>); the JSON the topic job reads (principals.json);
# a CA and the broker's certificate for SASL_SSL (PEM). A production deployment brings its
# own, from its secret store, in the same shape. Run from the repository root.
set -euo pipefail
dir=infra/docker/secrets
mkdir -p "$dir"
chmod 700 "$dir"
# Every principal the development secrets file names (services, observer, admin, broker, agencies).
principals=$(node -e 'console.log(Object.keys(require("./infra/local/dev-kafka-secrets.json")).join("\n"))')
: > "$dir/kafka-users"
json="{"
for p in $principals; do
  s=$(openssl rand -hex 24)
  printf '%s %s\n' "$p" "$s" >> "$dir/kafka-users"
  printf '%s' "$s" > "$dir/kafka-$p"
  json="$json\"$p\":\"$s\","
done
printf '%s}\n' "${json%,}" > "$dir/principals.json"
# A CA and the broker's key and certificate (its name on the compose network: kafka).
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=homeward-dev-ca" \
  -keyout "$dir/ca.key" -out "$dir/kafka-ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kafka" -keyout "$dir/broker.key" -out "$dir/broker.csr" 2>/dev/null
printf 'subjectAltName=DNS:kafka,DNS:localhost\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/broker.csr" -CA "$dir/kafka-ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 365 -extfile "$dir/san.ext" -out "$dir/broker.crt" 2>/dev/null
# Kafka's PEM keystore: the private key (PKCS#8, unencrypted) followed by the certificate chain.
openssl pkcs8 -topk8 -nocrypt -in "$dir/broker.key" > "$dir/kafka-broker.pem"
cat "$dir/broker.crt" "$dir/kafka-ca.pem" >> "$dir/kafka-broker.pem"
rm -f "$dir/broker.csr" "$dir/san.ext" "$dir/kafka-ca.srl"
chmod 600 "$dir"/*
echo "secrets written to $dir"
