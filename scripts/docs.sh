#!/usr/bin/env bash
# Builds the DocC documentation of the CacheLayer module: its catalog (Sources/CacheLayer/Documentation.docc), the
# doc comments of its public symbols, and the snippets the articles show (Snippets/, compiled by `swift build`).
# Any DocC warning (a broken symbol link, a missing snippet or slice) fails the build.
#
#   scripts/docs.sh                      # the archive lands in .build/plugins/Swift-DocC/outputs/CacheLayer.doccarchive
#   scripts/docs.sh --output-path DIR    # extra arguments go to `swift package generate-documentation`
set -euo pipefail
cd "$(dirname "$0")/.."

exec swift package generate-documentation --target CacheLayer --warnings-as-errors "$@"
