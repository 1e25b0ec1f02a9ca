#!/usr/bin/env bash
# Fuzzes the readers of untrusted input with libFuzzer (clang, AddressSanitizer and UBSan): the
# config parser, the FractalDB/PC-FractalDB category CSV readers, the PNG and tar readers of
# `fdsl verify` and the point-cloud readers of `fdsl stats`. Each target runs FUZZ_SECONDS (default 60) from a seed corpus of the project's
# own files; a finding (crash, leak, sanitizer report, an exception that is not fdsl::Error)
# fails the script and leaves the input as crash-* in the corpus folder. Not part of the default
# test suite: ctest -L fuzz runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
BUILD=${FDSL_FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
# -march=native: the renderers pass 256-bit vectors between functions, which clang refuses
# without AVX enabled (GCC only warns); the fuzz build runs on the machine that built it.
SAN="-march=native -fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DFDSL_BUILD_FUZZ=ON -DFDSL_BUILD_TESTS=OFF -DFDSL_BUILD_BENCH=OFF -DFDSL_BUILD_PYTHON=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target fuzz_config fuzz_category_csv fuzz_png fuzz_tar fuzz_cloud fdsl_cli

# Seed corpora from what fdsl reads and writes.
CORPUS="$BUILD/fuzz-corpus"
rm -rf "$CORPUS" && mkdir -p "$CORPUS"/{config,category_csv,png,tar,cloud}
cp configs/*.yaml "$CORPUS/config/"
find data/fractaldb -name '*.csv' | head -50 | xargs -I{} cp {} "$CORPUS/category_csv/" 2>/dev/null || true
SEED="$BUILD/fuzz-seed"
rm -rf "$SEED"
ASAN_OPTIONS=detect_leaks=0 "$BUILD/fdsl" generate configs/quickstart.yaml -o "$SEED/folder" --classes 0:2 --instances 0:3 \
  --set size=32 --set points=2000 --progress quiet >/dev/null
ASAN_OPTIONS=detect_leaks=0 "$BUILD/fdsl" generate configs/quickstart.yaml -o "$SEED/tar" --set classes=2 --set instances=3 \
  --set size=24 --set points=2000 --set output_format=tar --set shard_samples=3 --progress quiet >/dev/null
ASAN_OPTIONS=detect_leaks=0 "$BUILD/fdsl" search configs/pc-fractaldb-1k.yaml -o "$SEED/pc" --set classes=3 >/dev/null
cp "$SEED/folder/categories.csv" "$CORPUS/category_csv/table.csv"
cp "$SEED"/pc/categories/*.csv "$SEED/pc/categories.csv" "$CORPUS/category_csv/" 2>/dev/null || true
find "$SEED/folder" -name '*.png' | head -6 | while read -r f; do cp "$f" "$CORPUS/png/$(basename "$f")"; done
# Label maps too (8-bit class masks, 16-bit instance masks of dead leaves), for decode_label_png.
ASAN_OPTIONS=detect_leaks=0 "$BUILD/fdsl" generate configs/dead-leaves-mixed.yaml -o "$SEED/labels" --classes 0:1 --instances 0:2 \
  --set size=32 --set masks=true --progress quiet >/dev/null
find "$SEED/labels" -path '*masks/*.png' -o -path '*instances/*.png' | head -4 | while read -r f; do
  cp "$f" "$CORPUS/png/label-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done
cp "$SEED"/tar/*.tar "$CORPUS/tar/"
for f in ply ply_ascii pcd pcd_ascii npy; do
  ASAN_OPTIONS=detect_leaks=0 "$BUILD/fdsl" generate configs/pc-fractaldb-1k.yaml -o "$SEED/cloud-$f" --set classes=2 \
    --set instances=2 --set points=64 --set search_points=2000 --set cloud_format=$f --progress quiet >/dev/null
  find "$SEED/cloud-$f" -name "*.${f%_ascii}" | head -2 | while read -r c; do cp "$c" "$CORPUS/cloud/$f-$(basename "$c")"; done
done

status=0
ABS_BUILD=$(cd "$BUILD" && pwd)
for target in config category_csv png tar cloud; do
  log="$ABS_BUILD/fuzz_$target.log"
  if (cd "$CORPUS/$target" && "$ABS_BUILD/fuzz/fuzz_$target" -max_total_time="$SECONDS_EACH" -timeout=10 \
      -rss_limit_mb=4096 -print_final_stats=1 . >"$log" 2>&1); then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz_$target: $runs runs in ${SECONDS_EACH} s, no finding"
  else
    echo "fuzz_$target: FINDING (see $log and $CORPUS/$target/crash-*)"
    tail -30 "$log"
    status=1
  fi
done
exit $status
