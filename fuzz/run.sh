#!/usr/bin/env bash
# Runs every fuzz target in turn, one fuzzer on one core at a time (a plain
# libFuzzer run is one process; -jobs/-workers would fork more).
#
#   fuzz/run.sh                 # the short run: 60 s per target
#   SECONDS_PER_TARGET=900 fuzz/run.sh verify cms seal_object   # a long run
#
# Needs `cargo install cargo-fuzz` and a nightly toolchain. Seeds are built by
# fuzz/seed.py into fuzz/corpus/<target>/ (generated, not committed); what
# libFuzzer finds is added there, and crashes land in fuzz/artifacts/<target>/.
# libFuzzer's last lines per target (executions, cov, ft) are kept in
# fuzz/logs/<target>.log; a summary line per target is printed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

SECS=${SECONDS_PER_TARGET:-60}
ALL=(verify cms seal_object signature_container content_stream text_content incremental_update)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
# Safe Rust gains little from AddressSanitizer and runs about twice as fast
# without it; FUZZ_FLAGS="" brings it back. Overflow checks stay on.
FUZZ_FLAGS=${FUZZ_FLAGS--s none}
PY=${PYTHON:-/work/venv/bin/python}
[ -x "$PY" ] || PY=python3

"$PY" fuzz/seed.py
mkdir -p fuzz/logs
cargo +nightly fuzz build $FUZZ_FLAGS >/dev/null || exit 1

status=0
summary=()
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log="fuzz/logs/$t.log"
    extra=()
    # The generator's input is a recipe, not a file: start it with room.
    [ "$t" = incremental_update ] && extra=(-max_len=4096 -len_control=0)
    echo "== $t: ${SECS}s" >&2
    cargo +nightly fuzz run $FUZZ_FLAGS "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "${extra[@]}" >"$log" 2>&1
    rc=$?
    [ $rc -ne 0 ] && status=1
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    found=$(find "fuzz/artifacts/$t" -type f | wc -l)
    summary+=("$t: rc=$rc execs=${runs:-?} cov=${cov:-?} ft=${ft:-?} artifacts=$found")
done
printf '%s\n' "${summary[@]}"
exit $status
