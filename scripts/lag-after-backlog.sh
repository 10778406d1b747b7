#!/usr/bin/env bash
# How long after the last result row is stored the reported lag (job and loader) reaches 0, after a backlog:
# runs the payments example, writes payments as fast as the producer can for DURATION (default 20s, faster than the
# job reads them), polls GET /api/v1/pipelines/payments every 0.25 s until everything is read and stored, and prints
# when the last row was stored and when both lags reached 0 for good. See docs/reliability.md.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HOME_DIR"
DATA=$(mktemp -d)
PORT=${PORT:-18431}
KAFKA_PORT=${KAFKA_PORT:-19431}
./sluice run examples/payments/pipeline.yaml --data-dir "$DATA" --port "$PORT" --kafka-port "$KAFKA_PORT" \
    --summary-interval 60s > "$DATA/run.out" 2>&1 &
RUN=$!
trap 'kill $RUN 2>/dev/null || true' EXIT
until curl -sf "localhost:$PORT/api/v1/pipelines/payments" > /dev/null; do sleep 1; done
python3 scripts/lag_after_backlog.py "$PORT" payments &
POLL=$!
./sluice produce payments --bootstrap "localhost:$KAFKA_PORT" --rate 0 --duration "${DURATION:-20s}" --seed 7 \
    --out-of-order 0 --late 0 --duplicates 0 --malformed 0
wait $POLL
