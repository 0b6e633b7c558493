#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the checked-in .swift-format, or, with --lint, only
# checks them (warnings fail it): scripts/test.sh runs the check first.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Sources Tests Snippets Examples/QuickStart Examples/OrderItems/Sources Examples/OrderItems/Tests
    Benchmarks/Sources Benchmarks/Tests Benchmarks/Benchmarks Benchmarks/HTTPHit/Sources Fuzz/Sources)
if [ "${1:-}" = "--lint" ]; then
    swift format lint --strict --recursive --parallel "${paths[@]}"
else
    swift format format --in-place --recursive --parallel "${paths[@]}"
fi
