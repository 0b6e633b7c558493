#!/usr/bin/env bash
# The main job: the order-items example server (Examples/OrderItems) on the in-memory backend. Installs what is
# missing (libhiredis-dev, libsqlite3-dev), builds the example, generates its SQLite database on the first run
# (Examples/OrderItems/.data/, about a second), then for each boundary (page 1 cached, then pages 1-3) flushes the
# cache, starts the server on a free loopback port, replays the same seeded visit mix and prints the miss rate,
# cached and uncached latency and the cache's memory. Then three scenarios: the page-1 visits with order status
# changes mixed in (their boundary rule invalidates the pages that list the order: prints the writes, the
# invalidations and the stale reads, which must be 0); the cache health monitor's (steady traffic, a volatile
# parameter in the key, a filter change, a budget too small: when each anomaly fired and what it said); and the
# fault scenario (the database fails, then stalls, for 3 s, once without and once with stale if error: the error
# rate and p99 of the requests sent during the outage). It writes an HTML report of the boundaries and the health
# scenarios (Examples/OrderItems/.data/report.html) and prints its path; a progress line per boundary on a terminal.
# Arguments go to the example: scripts/order-items.sh --serve --port 8080 keeps the server running instead;
# REDIS_URL=redis://127.0.0.1:6379 uses Redis (with CACHE_TIERS=two, a memory tier in front of it, kept coherent with
# other servers sharing that Redis); OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 exports over OTLP.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/system-packages.sh
source scripts/lib/build-plan.sh
require_packages libhiredis-dev:/usr/include/hiredis/hiredis.h libsqlite3-dev:/usr/include/sqlite3.h
echo "Building Examples/OrderItems (the first build takes about 10 minutes on 2 cores)..." >&2
forget_stale_build_plan Examples/OrderItems debug
swift build --quiet --package-path Examples/OrderItems --product order-items
exec "$(swift build --package-path Examples/OrderItems --show-bin-path)/order-items" "$@"
