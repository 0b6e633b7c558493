#!/usr/bin/env bash
# A cached response at the framework's own speed: for Hummingbird and for Vapor, wrk's requests per second and p99
# of a HIT of a 12 KB response through CacheLayer's response-cache middleware (`/cached`) against a route that
# returns the same 12 KB from memory (`/plain`), release builds on loopback (Benchmarks/HTTPHit). For Vapor, also
# against the same route written as an async handler (`/plain-async`).
#
# Both servers run for the whole benchmark (an idle one takes no CPU). Rounds are interleaved: each round measures
# the four routes once, the order rotating from round to round, so that drift in the machine's load hits all of them
# alike. Each run prints the 1-minute load average before and after it; the report gives each run, the medians of
# the rounds, and the HIT/plain ratios of the medians per framework.
# Run it at normal priority, on a machine as quiet as you can make it.
# Usage: scripts/http-hit-bench.sh [ROUNDS (5)] [SECONDS per run (8)] [CONNECTIONS (32)]
# HTTP_HIT_FRAMEWORKS="hummingbird" (or "vapor") measures one framework only; both by default.
# HTTP_HIT_BUILD=0 runs the servers built before, without building them.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-8}
connections=${3:-32}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
command -v curl >/dev/null || apt-get install -y curl >/dev/null

frameworks=(${HTTP_HIT_FRAMEWORKS:-hummingbird vapor})
declare -A ports=([hummingbird]=18081 [vapor]=18082)
declare -A pid_of
declare -A servers=([hummingbird]=HummingbirdHitServer [vapor]=VaporHitServer)
# HTTP_HIT_BUILD=0 runs the servers built before, without building (another build may hold the package's lock).
if [ "${HTTP_HIT_BUILD:-1}" != 0 ]; then
    source scripts/lib/build-plan.sh
    forget_stale_build_plan Benchmarks/HTTPHit release
    for framework in "${frameworks[@]}"; do
        swift build -c release --package-path Benchmarks/HTTPHit --product "${servers[$framework]}"
    done
fi
bin=Benchmarks/HTTPHit/.build/release

load() { cut -d' ' -f1 /proc/loadavg; }

# wrk's "Requests/sec" and its 99% latency in milliseconds.
measure() {
    local out rps p99 requests
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "$1")
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
        echo "wrk reported errors for $1:" >&2
        echo "$out" >&2
        return 1
    fi
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
    echo "$rps $p99 $requests"
}

# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

header() { curl -s -o /dev/null -D - "$1" | tr -d '\r' | awk -F': ' -v h="$2" 'tolower($1)==h {print $2}'; }

pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
for framework in "${frameworks[@]}"; do
    port=${ports[$framework]}
    "$bin/${servers[$framework]}" "$port" >/dev/null 2>&1 &
    pids+=($!)
    pid_of[$framework]=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/plain" >/dev/null && break; sleep 0.1; done
    # The first request stores the response; every one after is a HIT, of the same bytes as /plain.
    header "http://127.0.0.1:$port/cached" x-cache >/dev/null
    status=$(header "http://127.0.0.1:$port/cached" x-cache)
    [ "$status" = "HIT" ] || { echo "$framework: /cached answered X-Cache '$status', not HIT" >&2; exit 1; }
    cmp <(curl -sf "http://127.0.0.1:$port/plain") <(curl -sf "http://127.0.0.1:$port/cached") \
        || { echo "$framework: /cached and /plain answer different bodies" >&2; exit 1; }
done

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); wrk -t1 -c$connections -d${seconds}s; $rounds rounds"
runs=()
for framework in "${frameworks[@]}"; do runs+=("$framework/plain" "$framework/cached"); done
# Vapor runs async code (an async handler, an async middleware's misses) on a task of its own: its plain route from an
# async handler shows what that hop costs, beside the synchronous one.
[[ " ${frameworks[*]} " == *" vapor "* ]] && runs+=("vapor/plain-async")
declare -A rps_of p99_of cpu_of
for round in $(seq 1 "$rounds"); do
    for index in "${!runs[@]}"; do
        run=${runs[$(((index + round - 1) % ${#runs[@]}))]}
        framework=${run%/*}
        route=${run#*/}
        before=$(load)
        ticks=$(cpu_ticks "${pid_of[$framework]}")
        read -r rps p99 requests < <(measure "http://127.0.0.1:${ports[$framework]}/$route")
        ticks=$(($(cpu_ticks "${pid_of[$framework]}") - ticks))
        after=$(load)
        # The server's CPU time per request: what the route costs, much less disturbed by the machine's load than
        # throughput is.
        cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
        echo "round $round $framework $route: $rps req/s, p99 $p99 ms, server CPU $cpu us/request (load $before -> $after)"
        rps_of[$run]+="$rps "
        p99_of[$run]+="$p99 "
        cpu_of[$run]+="$cpu "
    done
done

for framework in "${frameworks[@]}"; do
    pr=$(tr ' ' '\n' <<<"${rps_of[$framework/plain]}" | grep . | median)
    pp=$(tr ' ' '\n' <<<"${p99_of[$framework/plain]}" | grep . | median)
    hr=$(tr ' ' '\n' <<<"${rps_of[$framework/cached]}" | grep . | median)
    hp=$(tr ' ' '\n' <<<"${p99_of[$framework/cached]}" | grep . | median)
    pc=$(tr ' ' '\n' <<<"${cpu_of[$framework/plain]}" | grep . | median)
    hc=$(tr ' ' '\n' <<<"${cpu_of[$framework/cached]}" | grep . | median)
    awk -v s="$framework" -v pr="$pr" -v pp="$pp" -v hr="$hr" -v hp="$hp" -v pc="$pc" -v hc="$hc" 'BEGIN {
        printf "%s medians: plain %.0f req/s p99 %.2f ms %.1f us CPU; HIT %.0f req/s p99 %.2f ms %.1f us CPU; HIT/plain throughput %.2fx, p99 %.2fx, server CPU per request %.2fx\n",
            s, pr, pp, pc, hr, hp, hc, hr/pr, hp/pp, hc/pc }'
    if [ -n "${rps_of[$framework/plain-async]:-}" ]; then
        ar=$(tr ' ' '\n' <<<"${rps_of[$framework/plain-async]}" | grep . | median)
        ap=$(tr ' ' '\n' <<<"${p99_of[$framework/plain-async]}" | grep . | median)
        ac=$(tr ' ' '\n' <<<"${cpu_of[$framework/plain-async]}" | grep . | median)
        awk -v s="$framework" -v ar="$ar" -v ap="$ap" -v ac="$ac" -v hr="$hr" -v hp="$hp" -v hc="$hc" 'BEGIN {
            printf "%s medians: plain from an async handler %.0f req/s p99 %.2f ms %.1f us CPU; HIT/async plain throughput %.2fx, p99 %.2fx, server CPU per request %.2fx\n",
                s, ar, ap, ac, hr/ar, hp/ap, hc/ac }'
    fi
done
