#!/usr/bin/env bash
# Every test on a fresh Debian 12 machine: install the packages, build, run the whole suite
# (GoogleTest and the Python checks with real consumers). Long runs carry the ctest label
# "long" and are left out unless FDSL_LONG_TESTS=1; the fuzzers (label "fuzz", scripts/fuzz.sh)
# run with ctest -L fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
BUILD_DIR=${FDSL_BUILD_DIR:-build}
cd "$BUILD_DIR"
if [ "${FDSL_LONG_TESTS:-0}" = 1 ]; then
  ctest -j "$(nproc)" --output-on-failure -LE fuzz
else
  ctest -j "$(nproc)" --output-on-failure -LE "long|fuzz"
fi
