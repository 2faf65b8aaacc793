#!/usr/bin/env bash
# Create pantau's topics on the compose broker, once (the `kafka-init` service runs this
# with the apache/kafka image's own scripts). Idempotent: existing topics are kept.
#
# Environment: BOOTSTRAP (kafka:9092), PANTAU_TOPIC_PREFIX (pantau), PANTAU_PARTITIONS (8),
# REPLICATION_FACTOR (1: the stack has one broker).
set -euo pipefail

BOOTSTRAP=${BOOTSTRAP:-kafka:9092}
PREFIX=${PANTAU_TOPIC_PREFIX:-pantau}
PARTITIONS=${PANTAU_PARTITIONS:-8}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}
TOPICS=/opt/kafka/bin/kafka-topics.sh

for topic in "$PREFIX.events" "$PREFIX.events.dlq" "$PREFIX.sla.breaches"; do
    "$TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
        --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR"
done
# The office status topic keeps the last record per office (CONTRACT §6): compacted.
"$TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$PREFIX.office.status" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR" \
    --config cleanup.policy=compact --config min.cleanable.dirty.ratio=0.1
"$TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --topic "$PREFIX.events"
