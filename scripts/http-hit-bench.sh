#!/usr/bin/env bash
# A cached response at the framework's own speed: for Hummingbird and for Vapor, wrk's requests per second and p99
# of a HIT of a 12 KB response through CacheLayer's response-cache middleware (`/cached`) against a route that
# returns the same 12 KB from memory (`/plain`), release builds on loopback (Benchmarks/HTTPHit).
#
# Rounds are interleaved (plain and cached alternate, the order swapping each round) so that drift in the machine's
# load hits both alike; the report gives each round and the medians, and the ratios of the medians.
# Usage: scripts/http-hit-bench.sh [ROUNDS (3)] [SECONDS per run (8)] [CONNECTIONS (32)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-8}
connections=${3:-32}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

swift build -c release --package-path Benchmarks/HTTPHit
bin=$(swift build -c release --package-path Benchmarks/HTTPHit --show-bin-path)

# wrk's "Requests/sec" and its 99% latency in milliseconds.
measure() {
    local out
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "$1")
    local rps p99
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
    echo "$rps $p99"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

port=18080
for server in HummingbirdHitServer VaporHitServer; do
    port=$((port + 1))
    "$bin/$server" "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/plain" >/dev/null && break; sleep 0.1; done
    # The first request stores the response; every one after is a HIT.
    status=$(curl -s -o /dev/null -D - "http://127.0.0.1:$port/cached" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
    status=$(curl -s -o /dev/null -D - "http://127.0.0.1:$port/cached" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
    [ "$status" = "HIT" ] || { echo "$server: /cached answered X-Cache '$status', not HIT" >&2; kill "$pid"; exit 1; }
    plain_rps=(); plain_p99=(); hit_rps=(); hit_p99=()
    for round in $(seq 1 "$rounds"); do
        if [ $((round % 2)) -eq 1 ]; then order="plain cached"; else order="cached plain"; fi
        for route in $order; do
            read -r rps p99 < <(measure "http://127.0.0.1:$port/$route")
            echo "$server round $round $route: $rps req/s, p99 $p99 ms"
            if [ "$route" = plain ]; then plain_rps+=("$rps"); plain_p99+=("$p99"); else hit_rps+=("$rps"); hit_p99+=("$p99"); fi
        done
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pr=$(printf '%s\n' "${plain_rps[@]}" | median); pp=$(printf '%s\n' "${plain_p99[@]}" | median)
    hr=$(printf '%s\n' "${hit_rps[@]}" | median); hp=$(printf '%s\n' "${hit_p99[@]}" | median)
    awk -v s="$server" -v pr="$pr" -v pp="$pp" -v hr="$hr" -v hp="$hp" 'BEGIN {
        printf "%s medians: plain %.0f req/s p99 %.2f ms; HIT %.0f req/s p99 %.2f ms; HIT/plain throughput %.2fx, p99 %.2fx\n",
            s, pr, pp, hr, hp, hr/pr, hp/pp }'
done
