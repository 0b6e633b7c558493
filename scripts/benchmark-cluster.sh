#!/usr/bin/env bash
# Measures the Redis backend on one redis-server and on a six-node Redis Cluster (three masters), in one run of
# RedisThroughput: starts a throwaway server and a throwaway cluster on free loopback ports, runs the benchmark
# (release build) with both, stops them. Extra arguments go to RedisThroughput (for example: --rounds 3).
# REDIS_CLUSTER_REPLICAS=0 makes the cluster three masters without replicas (writes then cost no replication).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/throwaway-servers.sh
start_throwaway_servers

swift run -c release --package-path Benchmarks RedisThroughput "redis://127.0.0.1:$REDIS_PORT" --cluster "$REDIS_CLUSTER_URLS" "$@"
