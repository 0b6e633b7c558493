#!/usr/bin/env bash
# Runs the whole benchmark suite in one go and keeps everything it prints: the micro-benchmarks, the memory
# footprint, Redis throughput against plain hiredis (one server and a six-node Redis Cluster), and the hit-rate runs
# (Zipf and pagination, memory tier, Redis allkeys-lru/lfu and Belady's optimum) with the boundary advisor.
# Installs redis-server and libhiredis-dev if missing, starts a throwaway redis-server and cluster on free loopback
# ports, and stops them at the end.
#
#   Benchmarks/run-all.sh [OUTPUT_FOLDER]        (default: Benchmarks/results/<date>)
#   ONLY=hitrate Benchmarks/run-all.sh           (just the hit-rate part; ONLY=throughput for the rest)
#
# On 2 cores: about 4 minutes (throughput) + 13 (hit rate), after the first release build.
# See Benchmarks/README.md for what each part measures and how to read it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/throwaway-servers.sh

out="${1:-Benchmarks/results/$(date +%F)}"
only="${ONLY:-all}"
mkdir -p "$out"
{
    date -u +"%F %T UTC"
    echo "cores: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    swift --version 2>&1 | head -1
    redis-server --version
} | tee "$out/machine.txt"

start_throwaway_servers
redis_url="redis://127.0.0.1:$REDIS_PORT"
source scripts/lib/build-plan.sh
forget_stale_build_plan Benchmarks release
swift build -c release --package-path Benchmarks --product cachelayer-bench
bench() { swift run -c release --skip-build --package-path Benchmarks cachelayer-bench "$@"; }

if [ "$only" = all ] || [ "$only" = throughput ]; then
    (cd Benchmarks && swift package --disable-sandbox benchmark) 2>&1 | tee "$out/micro-benchmarks.txt"
    swift run -c release --package-path Benchmarks MemoryFootprint 2>&1 | tee "$out/memory-footprint.txt"
    swift run -c release --package-path Benchmarks RedisThroughput "$redis_url" --cluster "$REDIS_CLUSTER_URLS" 2>&1 \
        | tee "$out/redis-throughput.txt"
fi

if [ "$only" = all ] || [ "$only" = hitrate ]; then
    bench hitrate --workload zipf --keys 100000 --skew 1.0 --requests 1000000 --value-size 1KiB \
        --budgets 4MiB,8MiB,16MiB,32MiB,64MiB,128MiB --redis "$redis_url" --output "$out/zipf" \
        2>&1 | tee "$out/zipf.txt"
    bench hitrate --workload pagination --requests 500000 --highest-cached-pages 1,2,3,5,10 \
        --budgets 8MiB,16MiB,32MiB,64MiB,128MiB,256MiB --redis "$redis_url" --output "$out/pagination" \
        2>&1 | tee "$out/pagination.txt"
    # The boundary advisor (the root package's cachelayer-advise) on the same pagination traffic, as a request log.
    log="$(mktemp)"
    bench pagination-log --requests 500000 --output "$log"
    swift run -c release cachelayer-advise --budget 64MiB --max-page 6 --csv "$out/advise.csv" "$log" 2>&1 \
        | tee "$out/advise.txt"
    rm -f "$log"
fi
echo "Results in $out"
