#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer through libfuzzer-sys, coverage instrumentation only,
# stable toolchain; `cargo fuzz run TARGET -s none` does the same) and runs each for a
# bounded time, starting from its corpus in fuzz/corpus/TARGET. New inputs go to a
# temporary directory, so the corpus changes only when someone copies finds back.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-45}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(inbox_json http_signature sanitizer webfinger image)
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
# The fuzz workspace pins the same versions as the main one: when the main lock moved on,
# start again from it (libFuzzer is added on top) rather than fail or pick newer crates.
if ! cargo metadata --locked --format-version 1 >/dev/null 2>&1; then
  echo "fuzz/Cargo.lock is behind ../Cargo.lock: refreshed from it (commit the result)"
  cp ../Cargo.lock Cargo.lock
  cargo metadata --format-version 1 >/dev/null
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
# --target keeps the instrumentation off build scripts and proc-macros.
cargo build --release --locked --target "$triple" --target-dir ../target/fuzz --bins
summary=""
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  found="$(mktemp -d)"
  log="$(mktemp)"
  echo "== fuzz $target (${seconds}s)"
  if ! "../target/fuzz/$triple/release/$target" "$found" "corpus/$target" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=262144 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    ls "$found" crash-* 2>/dev/null | head || true
    echo "fuzz target $target failed"
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  summary+="$target: ${runs:-?} executions in ${seconds}s"$'\n'
  rm -rf "$found" "$log"
done
printf '%s' "$summary"
