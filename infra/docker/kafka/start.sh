#!/bin/bash
# Starts the compose broker with secrets read from files: the SCRAM users go into the storage
# when it is first formatted (kafka-storage --add-scram), the broker's own secret into its
# inter-broker login. A storage formatted earlier keeps its users: add a principal to a running
# cluster with kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' as admin.
set -euo pipefail
CONF=/tmp/server.properties
cp /etc/homeward/kafka/server.properties "$CONF"
users=()
broker_secret=""
while IFS=$' \t' read -r name secret; do
  [ -z "$name" ] && continue
  users+=(--add-scram "SCRAM-SHA-512=[name=${name},password=${secret}]")
  [ "$name" = broker ] && broker_secret="$secret"
done < /run/secrets/kafka_users
if [ -z "$broker_secret" ]; then echo "kafka_users has no secret for the broker principal" >&2; exit 1; fi
echo "listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"${broker_secret}\";" >> "$CONF"
chmod 600 "$CONF"
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${CLUSTER_ID:?set CLUSTER_ID}" -c "$CONF" "${users[@]}"
# The healthcheck's login: the observer (read-only), over SASL_SSL.
observer_secret=$(awk '$1 == "observer" { print $2 }' /run/secrets/kafka_users)
cat > /tmp/observer.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="observer" password="${observer_secret}";
ssl.truststore.type=PEM
ssl.truststore.location=/run/secrets/kafka_ca
PROPS
chmod 600 /tmp/observer.properties
exec /opt/kafka/bin/kafka-server-start.sh "$CONF"
