#!/usr/bin/env bash
# Compares certcheck with pdfsig (poppler) file by file, measures batch
# throughput, and checks a ~100 MB signed PDF against sha256sum.
#
#   bench/compare.sh [FILE.pdf ...]      (default: tests/corpus/*.pdf)
#
# Env: RUNS (runs per file and tool, default 10), BIG_MB (size of the large
# file, default 100), BATCH (files in the batch test, default 1000),
# CERTCHECK (a certcheck binary; default: build --release).
# Times are the median wall-clock time per run, including process start, for both tools:
# that is what a desk pays per file.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
BIG_MB=${BIG_MB:-100}
BATCH=${BATCH:-1000}
TRUST=tests/corpus/trust

if [[ -z "${CERTCHECK:-}" ]]; then
  cargo build --release --quiet
  CERTCHECK="${CARGO_TARGET_DIR:-target}/release/certcheck"
fi
HAVE_PDFSIG=1
if ! command -v pdfsig >/dev/null 2>&1; then
  HAVE_PDFSIG=0
  echo "pdfsig is not installed (apt-get install poppler-utils): per-file ratios skipped." >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CERTCHECK_CONFIG_DIR="$WORK/config" CERTCHECK_DATA_DIR="$WORK/data"

# Arithmetic without bc: calc EXPR [DECIMALS].
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# Median wall time of RUNS runs of a command, in milliseconds (3 decimals).
# The median, not the mean: other work on the machine shows up as outliers.
median_ms() {
  local start end times=()
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($((end - start)))
  done
  local mid
  mid=$(printf "%s\n" "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  calc "$mid / 1000000"
}

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then files=(tests/corpus/*.pdf); fi

echo "== per file: certcheck verify (all checks) vs pdfsig, median of $RUNS runs =="
printf "%-44s %10s %10s %8s\n" file certcheck_ms pdfsig_ms ratio
sum_ratio=0; n_ratio=0
for f in "${files[@]}"; do
  c=$(median_ms "$CERTCHECK" verify --quiet --format json --no-default-trust --trust "$TRUST" "$f")
  if [[ $HAVE_PDFSIG == 1 ]]; then
    p=$(median_ms pdfsig "$f")
    r=$(calc "$c / $p" 3)
    sum_ratio=$(calc "$sum_ratio + $r" 3); n_ratio=$((n_ratio + 1))
  else
    p=-; r=-
  fi
  printf "%-44s %10s %10s %8s\n" "$(basename "$f")" "$c" "$p" "$r"
done
if [[ $n_ratio -gt 0 ]]; then
  echo "mean of the per-file ratios certcheck/pdfsig: $(calc "$sum_ratio / $n_ratio" 3) (target < 0.5)"
fi

echo
echo "== batch: $BATCH files in one run =="
mkdir -p "$WORK/batch"
corpus=(tests/corpus/*.pdf)
for ((i = 0; i < BATCH; i++)); do
  src=${corpus[$((i % ${#corpus[@]}))]}
  cp "$src" "$WORK/batch/$(printf %05d "$i")-$(basename "$src")"
done
start=$(date +%s%N)
"$CERTCHECK" verify --quiet --format jsonl --no-default-trust --trust "$TRUST" "$WORK/batch" >"$WORK/batch.jsonl" || true
end=$(date +%s%N)
secs=$(calc "($end - $start) / 1000000000" 3)
lines=$(wc -l <"$WORK/batch.jsonl")
echo "records: $lines, seconds: $secs, files/s: $(calc "$lines / $secs" 1) (target >= 500)"
rm -rf "$WORK/batch"

echo
echo "== large file: a ${BIG_MB} MB signed PDF vs sha256sum =="
if command -v python3 >/dev/null && command -v openssl >/dev/null; then
  python3 bench/make_big_pdf.py "$WORK/big.pdf" "$BIG_MB"
  ls -l "$WORK/big.pdf" | awk '{print "size: " $5 " bytes"}'
  # Warm the page cache so both tools read from memory.
  cat "$WORK/big.pdf" >/dev/null
  RUNS=3
  s=$(median_ms sha256sum "$WORK/big.pdf")
  c=$(median_ms "$CERTCHECK" verify --quiet --format json --no-default-trust --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf")
  echo "sha256sum: ${s} ms, certcheck: ${c} ms, ratio: $(calc "$c / $s" 2) (target <= 1.5)"
  if [[ $HAVE_PDFSIG == 1 ]]; then
    p=$(median_ms pdfsig "$WORK/big.pdf")
    echo "pdfsig: ${p} ms"
  fi
  "$CERTCHECK" verify --quiet --format jsonl --no-default-trust --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf" |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print("verdict:", r["verdict"], [x["code"] for x in r["reasons"]])' || true
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%M" -o "$WORK/mem" "$CERTCHECK" verify --quiet --format json --no-default-trust \
      --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf" >/dev/null 2>&1 || true
    kb=$(tail -n 1 "$WORK/mem")
    size=$(stat -c %s "$WORK/big.pdf")
    echo "peak RSS: $((kb / 1024)) MB; limit 2x size + 50 MB = $((size * 2 / 1048576 + 50)) MB"
  fi
else
  echo "python3 and openssl are needed to make the large signed file; skipped."
fi
