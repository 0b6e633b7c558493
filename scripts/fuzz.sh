#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ and runs each one in turn for SECONDS (default 20: the CI run), then prints
# the executions per target. Exits non-zero when any harness finds something (a trap, a broken invariant, a
# sanitizer report, a timeout or running out of memory); the input that did it is kept and named in the output.
#
#   scripts/fuzz.sh                       # every target, 20 s each
#   scripts/fuzz.sh 600                   # every target, 10 minutes each
#   scripts/fuzz.sh 60 FuzzRedisURL       # one target
#   scripts/fuzz.sh --runs 10000000 FuzzRequestDecision   # stop after that many executions instead
#   scripts/fuzz.sh --asan 60             # with AddressSanitizer too (a second build folder)
#   scripts/fuzz.sh --keep-going 600      # on a finding, note it and go on fuzzing (libFuzzer's fork mode)
#   scripts/fuzz.sh --regress             # only replay the committed seeds and reproducers, no fuzzing
#   scripts/fuzz.sh --build-only          # only build the harnesses (scripts/test.sh builds them in the background)
#
# Seeds (Fuzz/Corpus/TARGET) and reproducers of past findings (Fuzz/Crashes/TARGET) are read, never written: what a
# run learns goes to Fuzz/.build/runs/TARGET/ (corpus/, crashes/, log), which later runs start from. Harnesses run one
# at a time, under `nice` (FUZZ_NICE, default 10), so they share a small machine with other builds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/system-packages.sh

all_targets=(FuzzFreshnessHeader FuzzCachedResponse FuzzBoundaryJSON FuzzBoundaryYAML FuzzRedisURL FuzzRequestDecision)
seconds=20
runs=""
asan=false
keep_going=false
regress=false
build_only=false
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --asan) asan=true ;;
        --keep-going) keep_going=true ;;
        --regress) regress=true ;;
        --runs) runs="$2"; shift ;;
        --build-only) build_only=true ;;
        -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        [0-9]*) seconds="$1" ;;
        Fuzz*) targets+=("$1") ;;
        *) echo "error: unknown argument '$1' (see scripts/fuzz.sh --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# CacheLayerRedis links Debian's hiredis; libFuzzer itself ships with the Swift toolchain.
require_packages libhiredis-dev:/usr/include/hiredis/hiredis.h

# One build for all harnesses: --sanitize=fuzzer instruments every module for coverage and links libFuzzer's main;
# -enable-testing lets a harness reach an internal decoder with `@testable import`.
scratch=Fuzz/.build
sanitizers=(--sanitize=fuzzer)
if $asan; then
    scratch=Fuzz/.build-asan
    sanitizers+=(--sanitize=address)
fi
build_started=$SECONDS
mkdir -p "$scratch"
# The gold linker warns once per AddressSanitizer helper symbol; the log keeps them, the terminal does not.
if ! swift build --package-path Fuzz --scratch-path "$scratch" -c release "${sanitizers[@]}" -Xswiftc -enable-testing \
    >"$scratch/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40 >&2
    echo "error: the fuzz harnesses do not build" >&2
    exit 1
fi
echo "build: $((SECONDS - build_started)) s"
$build_only && exit 0
bin="$(swift build --package-path Fuzz --scratch-path "$scratch" -c release "${sanitizers[@]}" --show-bin-path)"

# Swift's own backtracer would take the signal of a trap and end the process before libFuzzer could save the input.
export SWIFT_BACKTRACE=enable=no

max_len() {
    case "$1" in
        FuzzBoundaryJSON | FuzzBoundaryYAML) echo 4096 ;;
        *) echo 1024 ;;
    esac
}

findings=0
summary=()
for target in "${targets[@]}"; do
    work="Fuzz/.build/runs/$target"
    mkdir -p "$work/corpus" "$work/crashes"
    log="$work/log"
    inputs=(Fuzz/Corpus/"$target")
    [ -d "Fuzz/Crashes/$target" ] && inputs+=(Fuzz/Crashes/"$target")

    if $regress; then
        # Replays each file once; any trap fails the run.
        files=()
        for dir in "${inputs[@]}"; do files+=("$dir"/*); done
        if nice -n "${FUZZ_NICE:-10}" "$bin/$target" "${files[@]}" >"$log" 2>&1; then
            summary+=("$(printf '%-22s %10s replayed  ok' "$target" "${#files[@]}")")
        else
            findings=$((findings + 1))
            summary+=("$(printf '%-22s %10s replayed  FINDING (see %s)' "$target" "${#files[@]}" "$log")")
            grep -v "Cannot export" "$log" | tail -25 >&2
        fi
        continue
    fi

    options=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")"
        -artifact_prefix="$work/crashes/" -dict="Fuzz/Dictionaries/$target.dict")
    if [ -n "$runs" ]; then options+=(-runs="$runs"); else options+=(-max_total_time="$seconds"); fi
    if $keep_going; then options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi

    touch "$work/started"
    started=$SECONDS
    status=0
    nice -n "${FUZZ_NICE:-10}" "$bin/$target" "${options[@]}" "$work/corpus" "${inputs[@]}" >"$log" 2>&1 || status=$?
    took=$((SECONDS - started))
    # The final stats in a single process; in fork mode, the last status line's `#N`.
    executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    [ -n "$executions" ] || executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
    executions=${executions:-0}
    new_crashes=$(find "$work/crashes" -type f -newer "$work/started" | sort)
    if [ "$status" -ne 0 ] || [ -n "$new_crashes" ]; then
        findings=$((findings + 1))
        result="FINDING (exit $status, see $log): $(echo $new_crashes)"
        grep -v "Cannot export" "$log" | grep -E -m 20 'Fatal error|Precondition failed|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY|Test unit written|crash-|timeout-|oom-' >&2 || true
    else
        result="ok"
    fi
    summary+=("$(printf '%-22s %12s executions %6s s %8s exec/s  %s' "$target" "$executions" "$took" \
        "$((executions / (took > 0 ? took : 1)))" "$result")")
done

echo
printf '%s\n' "${summary[@]}"
if [ "$findings" -gt 0 ]; then
    echo "fuzzing: $findings target(s) with findings" >&2
    exit 1
fi
echo "fuzzing: no findings"
