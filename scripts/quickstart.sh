#!/usr/bin/env bash
# The main job: builds and runs the quick-start example on the embedded in-memory backend (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
swift run QuickStart
