#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install the packages, build, generate the
# quickstart dataset (20 FractalDB categories x 100 images) and its preview sheet.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
BUILD_DIR=${FDSL_BUILD_DIR:-build}
OUT=${1:-quickstart-out}
rm -rf "$OUT"
"$BUILD_DIR/fdsl" generate configs/quickstart.yaml -o "$OUT"
"$BUILD_DIR/fdsl" preview configs/quickstart.yaml -o "$OUT/preview.png"
echo "quickstart: dataset in $OUT/, preview sheet $OUT/preview.png"
