#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, starts a throwaway redis-server and a
# throwaway six-node Redis Cluster on free loopback ports, points the tests at them (CACHELAYER_REDIS_URL,
# CACHELAYER_REDIS_CLUSTER_URLS), stops them at the end, checks that the benchmarks package builds and runs its
# hit-rate tool's tests, builds the order-items example and runs its smoke test (its HTML report rendered in headless
# chromium), runs a short fuzz pass, and builds and runs the Vapor adapter's tests (the VaporSupport trait, in a
# scratch path of its own: .build-vapor); it checks the formatting first.
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

if [ $# -eq 0 ]; then
    # The Vapor tests build with the VaporSupport trait in a scratch path of their own, so that the default build is
    # neither invalidated nor made to wait. A resolution without the trait leaves Vapor's packages out of
    # Package.resolved, and the Vapor build would add them while the root tests read it: resolve with the trait
    # first (network and disk only), so that every build after it finds the file complete.
    swift package --traits VaporSupport --scratch-path .build-vapor resolve
fi

swift build --build-tests

# The other packages (benchmarks, the example, the fuzz harnesses) build while the root tests run, in the background
# and at the lowest priority: the tests mostly wait on sockets and timers, so the builds take the idle CPU instead of
# adding their minutes after the tests, and the tests still get a core whenever they want one.
companion_log=.build/companion-builds.log
companion_pid=""
if [ $# -eq 0 ]; then
    # chromium: scripts/check-report.sh renders the example's HTML report headless (below).
    require_packages libsqlite3-dev:/usr/include/sqlite3.h chromium:/usr/bin/chromium
    # A session of its own, so that a failing test run stops the whole group (see the trap).
    setsid bash -c 'set -e
        nice -n 19 swift build --package-path Benchmarks
        nice -n 19 swift build --package-path Examples/OrderItems --build-tests
        FUZZ_NICE=19 nice -n 19 scripts/fuzz.sh --build-only
        nice -n 19 swift build --build-tests --traits VaporSupport --scratch-path .build-vapor' >"$companion_log" 2>&1 &
    companion_pid=$!
    trap 'kill -- -"$companion_pid" 2>/dev/null || true; stop_throwaway_redis_cluster; stop_throwaway_redis' EXIT
fi

# One test at a time: the fault tests time calls, and on two cores CPU-bound suites running beside them would
# make those timings about the machine rather than the code.
swift test --skip-build --no-parallel "$@"

if [ -n "$companion_pid" ]; then
    if ! wait "$companion_pid"; then
        grep -v "Cannot export local symbol" "$companion_log" | tail -40 >&2
        echo "error: a companion package does not build (full log: $companion_log)" >&2
        exit 1
    fi

    # The benchmarks are a package of their own (see Benchmarks/README.md): they must build, so an API change
    # cannot leave them broken, and the hit-rate tool's tests run (the memory tier against a model of its eviction,
    # Belady, CSV determinism, bad input, real redis-servers of their own). Running the benchmarks themselves is a
    # separate, deliberate step.
    swift test --package-path Benchmarks --filter HitRateLabTests

    # The order-items example (the main job, scripts/order-items.sh) is a package of its own too: its smoke test runs
    # a real server on a small generated SQLite database answering a MISS, a HIT and BYPASSes over loopback, then
    # shuts down cleanly (Examples/OrderItems/README.md); the health scenarios' test writes its HTML report, which
    # headless chromium then renders (scripts/check-report.sh fails on a render error).
    ORDER_ITEMS_REPORT="$PWD/.build/order-items-report.html" swift test --package-path Examples/OrderItems --skip-build
    scripts/check-report.sh .build/order-items-report.html

    # A short fuzz pass (Fuzz/README.md): the libFuzzer harnesses of every decoder of untrusted input replay their
    # committed reproducers, then fuzz for 10 s each; any finding fails the run. Long runs: scripts/fuzz.sh 600.
    scripts/fuzz.sh 10

    # The Vapor adapter (CacheLayerVapor, built above with the VaporSupport trait): the response-cache conformance
    # cases through VaporTesting, the `app.caches` driver and the README's Vapor example. Only its tests: the others
    # ran above, on the default build.
    swift test --skip-build --traits VaporSupport --scratch-path .build-vapor --filter CacheLayerVaporTests
fi
