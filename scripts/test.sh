#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, starts a throwaway redis-server and a
# throwaway six-node Redis Cluster on free loopback ports, points the tests at them (CACHELAYER_REDIS_URL,
# CACHELAYER_REDIS_CLUSTER_URLS), stops them at the end, checks that the benchmarks package builds and runs its
# hit-rate tool's tests, builds the order-items example and runs its smoke test, and runs a short fuzz pass; it
# checks the formatting first.
# Extra arguments go to `swift test` (for example: scripts/test.sh --filter MemoryBackend).
set -euo pipefail
cd "$(dirname "$0")/.."
# Formatting first: it takes seconds (.swift-format; scripts/format.sh formats).
scripts/format.sh --lint

source scripts/lib/throwaway-servers.sh
start_throwaway_servers

export CACHELAYER_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export CACHELAYER_REDIS_CLUSTER_URLS="$REDIS_CLUSTER_URLS"
export CACHELAYER_REDIS_SERVER="$(command -v redis-server)"

swift build --build-tests
# One test at a time: the fault tests time calls, and on two cores CPU-bound suites running beside them would
# make those timings about the machine rather than the code.
swift test --skip-build --no-parallel "$@"

# The benchmarks are a package of their own (see Benchmarks/README.md): check that they still build, so an API
# change cannot leave them broken, and run the hit-rate tool's tests (the memory tier against a model of its
# eviction, Belady, CSV determinism, bad input, real redis-servers of their own). Running the benchmarks themselves
# is a separate, deliberate step.
if [ $# -eq 0 ]; then
    swift build --package-path Benchmarks
    swift test --package-path Benchmarks --filter HitRateLabTests

    # The order-items example (the main job, scripts/order-items.sh) is a package of its own too: build it and run
    # its smoke test, a real server on a small generated SQLite database answering a MISS, a HIT and BYPASSes over
    # loopback, then shutting down cleanly (Examples/OrderItems/README.md).
    require_packages libsqlite3-dev:/usr/include/sqlite3.h
    swift build --package-path Examples/OrderItems --build-tests
    swift test --package-path Examples/OrderItems --skip-build

    # A short fuzz pass (Fuzz/README.md): the libFuzzer harnesses of every decoder of untrusted input replay their
    # committed reproducers, then fuzz for 10 s each; any finding fails the run. Long runs: scripts/fuzz.sh 600.
    scripts/fuzz.sh 10
fi
