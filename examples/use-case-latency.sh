#!/usr/bin/env bash
# Samples the end-to-end latency of the five use cases on a running `sluice serve` (docs/use-cases.md): every
# INTERVAL seconds, for each pipeline, the wall-clock time minus the newest event time (or window end) stored in one
# of its tables. The generators stamp events with the wall clock, so this is how far storage is behind the events.
# Usage: examples/use-case-latency.sh [API-URL] [SAMPLES] [INTERVAL]   (needs curl and jq)
set -euo pipefail
API="${1:-http://localhost:8080/api/v1}"
SAMPLES="${2:-24}"
INTERVAL="${3:-5}"
# pipeline|query: the newest event time of a table whose rows are written as soon as the watermark allows.
PROBES=(
  "fraud_detection|SELECT max(ts) FROM risk_scores"
  "live_dashboards|SELECT max(window_end) FROM page_view_counts"
  "stock_trading|SELECT max(ts) FROM moving_average_20"
  "ride_tracking|SELECT max(ts) FROM driver_positions"
  "recommendations|SELECT max(last_viewed) FROM user_interests"
)
echo "sample pipeline latency_ms"
for ((i = 1; i <= SAMPLES; i++)); do
  for probe in "${PROBES[@]}"; do
    name="${probe%%|*}"
    sql="${probe#*|}"
    newest=$(curl -sf -H 'Content-Type: application/json' -d "$(jq -n --arg sql "$sql" '{sql: $sql}')" \
      "$API/pipelines/$name/query" | jq -r '.rows[0][0] // empty')
    now_ms=$(date +%s%3N)
    if [ -n "$newest" ]; then
      newest_ms=$(date -u -d "${newest/T/ }" +%s%3N)
      echo "$i $name $((now_ms - newest_ms))"
    else
      echo "$i $name none"
    fi
  done
  sleep "$INTERVAL"
done
