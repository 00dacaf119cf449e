#!/usr/bin/env bash
# Prints each speed target of issue 16 as a ratio measured in this one run,
# on this machine, side by side with the tool it is compared with:
#
#   1. per file, one process per file, every check on: certcheck vs pdfsig
#      over the shared corpus (target <= 0.2x);
#   2. a batch with --jobs 2: files/s (target >= 2000);
#   3. a large signed PDF: certcheck vs sha256sum (target <= 1.2x), and
#      peak RSS <= file size + 50 MB;
#   4. growth in pages (1, 10, 100[, 1000]) and incremental revisions
#      (1, 10[, 50]): time(N) / time(1), next to N;
#   5. an object-heavy file: peak RSS (target <= 2x size + 50 MB) and time,
#      or a clean refusal at the documented object limit.
#
#   bench/compare.sh [--full] [FILE.pdf ...]   (default files: tests/corpus/*.pdf)
#
# The default run is short (about a minute: batch of 1,000, a 20 MB file,
# up to 100 pages and 10 revisions, 100,000 objects). --full (or FULL=1)
# runs the sizes the issue names: a batch of 10,000, 100 MB, 1,000 pages,
# 50 revisions, 1,000,000 objects. Not part of CI.
#
# Env: RUNS (runs per file and tool), BATCH, BIG_MB, PAGES, REVISIONS,
# OBJECTS (comma lists), CERTCHECK (a binary; default: build --release),
# PYTHON (with reportlab and pyhanko; default /work/venv/bin/python).
#
# Times are wall clock including process start, as a desk pays them. The
# machine may be shared: each pair is measured in the same run, alternating
# the two tools, and both the median wall-time ratio and the CPU-time
# (user + system) ratio are printed; the CPU ratio is the steadier one on a
# busy machine.
set -euo pipefail

cd "$(dirname "$0")/.."
FULL=${FULL:-0}
files=()
for a in "$@"; do
  case "$a" in
    --full) FULL=1 ;;
    *) files+=("$a") ;;
  esac
done
if [[ $FULL == 1 ]]; then
  RUNS=${RUNS:-15} BATCH=${BATCH:-10000} BIG_MB=${BIG_MB:-100}
  PAGES=${PAGES:-1,10,100,1000} REVISIONS=${REVISIONS:-1,10,50} OBJECTS=${OBJECTS:-1000000}
else
  RUNS=${RUNS:-7} BATCH=${BATCH:-1000} BIG_MB=${BIG_MB:-20}
  PAGES=${PAGES:-1,10,100} REVISIONS=${REVISIONS:-1,10} OBJECTS=${OBJECTS:-100000}
fi
PYTHON=${PYTHON:-/work/venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
TRUST=tests/corpus/trust

if [[ -z "${CERTCHECK:-}" ]]; then
  cargo build --release --quiet
  CERTCHECK="${CARGO_TARGET_DIR:-target}/release/certcheck"
fi
HAVE_PDFSIG=1
command -v pdfsig >/dev/null 2>&1 || {
  HAVE_PDFSIG=0
  echo "pdfsig is not installed (apt-get install poppler-utils): per-file ratios skipped." >&2
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CERTCHECK_CONFIG_DIR="$WORK/config" CERTCHECK_DATA_DIR="$WORK/data"

calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# pair N CMD_A... -- CMD_B...: runs the two commands N times, alternating,
# and prints "wall_a_ms wall_b_ms cpu_a_ms cpu_b_ms" (medians). Output and
# exit status of the commands are ignored.
pair() {
  "$PYTHON" - "$@" <<'EOF'
import os, statistics, subprocess, sys, time
n = int(sys.argv[1]); rest = sys.argv[2:]
cut = rest.index("--"); cmds = [rest[:cut], rest[cut + 1:]]
wall = [[], []]; cpu = [[], []]
def run(i):
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(cmds[i], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    wall[i].append((time.perf_counter_ns() - t0) / 1e6)
    cpu[i].append((ru.ru_utime + ru.ru_stime) * 1000)
run(0); run(1)  # warm-up, not counted
wall = [[], []]; cpu = [[], []]
for k in range(n):
    for i in ((0, 1) if k % 2 == 0 else (1, 0)):
        run(i)
m = statistics.median
print("%.3f %.3f %.3f %.3f" % (m(wall[0]), m(wall[1]), m(cpu[0]), m(cpu[1])))
EOF
}

# peak RSS (MB) and wall seconds of one run of a command.
peak() {
  /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || true
  local kb secs
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/time.txt" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  echo "$((kb / 1024)) $secs"
}

verify=("$CERTCHECK" verify --quiet --format json --no-default-trust)

if [[ ${#files[@]} -eq 0 ]]; then files=(tests/corpus/*.pdf); fi

echo "certcheck: $CERTCHECK; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS"
echo
echo "== 1. per file, one process per file: certcheck verify vs pdfsig (medians of $RUNS alternating runs) =="
printf "%-44s %9s %9s %7s %9s %9s %7s\n" file cc_wall pdfsig wall_x cc_cpu pdfsig cpu_x
sum_cw=0 sum_pw=0 sum_cc=0 sum_pc=0
if [[ $HAVE_PDFSIG == 1 ]]; then
  for f in "${files[@]}"; do
    read -r cw pw cc pc < <(pair "$RUNS" "${verify[@]}" --trust "$TRUST" "$f" -- pdfsig "$f")
    printf "%-44s %9s %9s %7s %9s %9s %7s\n" "$(basename "$f")" "$cw" "$pw" "$(calc "$cw / $pw" 2)" \
      "$cc" "$pc" "$(calc "$cc / ($pc + 0.001)" 2)"
    sum_cw=$(calc "$sum_cw + $cw"); sum_pw=$(calc "$sum_pw + $pw")
    sum_cc=$(calc "$sum_cc + $cc"); sum_pc=$(calc "$sum_pc + $pc")
  done
  echo "over ${#files[@]} files: wall $(calc "$sum_cw" 1) ms vs $(calc "$sum_pw" 1) ms = $(calc "$sum_cw / $sum_pw" 2)x;" \
    "cpu $(calc "$sum_cc" 1) ms vs $(calc "$sum_pc" 1) ms = $(calc "$sum_cc / $sum_pc" 2)x (target <= 0.2x)"
fi

echo
echo "== 2. batch: $BATCH files, --jobs 2, one process =="
mkdir -p "$WORK/batch"
corpus=(tests/corpus/*.pdf)
for ((i = 0; i < BATCH; i++)); do
  src=${corpus[$((i % ${#corpus[@]}))]}
  ln "$src" "$WORK/batch/$(printf %05d "$i")-$(basename "$src")" 2>/dev/null ||
    cp "$src" "$WORK/batch/$(printf %05d "$i")-$(basename "$src")"
done
start=$(date +%s%N)
"$CERTCHECK" verify --quiet --jobs 2 --format jsonl --no-default-trust --trust "$TRUST" "$WORK/batch" \
  >"$WORK/batch.jsonl" || true
end=$(date +%s%N)
secs=$(calc "($end - $start) / 1000000000" 3)
lines=$(wc -l <"$WORK/batch.jsonl")
echo "records: $lines, seconds: $secs, files/s: $(calc "$lines / $secs" 0) (target >= 2000)"
rm -rf "$WORK/batch" "$WORK/batch.jsonl"

echo
echo "== 3. large file: a ${BIG_MB} MB signed PDF vs sha256sum =="
if command -v openssl >/dev/null; then
  python3 bench/make_big_pdf.py "$WORK/big.pdf" "$BIG_MB"
  size=$(stat -c %s "$WORK/big.pdf")
  cat "$WORK/big.pdf" >/dev/null # page cache warm for both tools
  read -r cw sw cc sc < <(pair 5 "${verify[@]}" --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf" -- sha256sum "$WORK/big.pdf")
  echo "size $size bytes; certcheck $cw ms, sha256sum $sw ms: $(calc "$cw / $sw" 2)x wall (target <= 1.2x);" \
    "cpu $cc ms vs $sc ms: $(calc "$cc / $sc" 2)x"
  "$CERTCHECK" verify --quiet --format jsonl --no-default-trust --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf" |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print("verdict:", r["verdict"], [x["code"] for x in r["reasons"]])' || true
  read -r mb _ < <(peak "${verify[@]}" --trust "$WORK/big.pdf.cert.pem" "$WORK/big.pdf")
  echo "peak RSS: $mb MB; target <= size + 50 MB = $((size / 1048576 + 50)) MB"
  rm -f "$WORK/big.pdf"
else
  echo "openssl is needed to sign the large file; skipped."
fi

echo
echo "== 4. growth: files made by reportlab + pyHanko (bench/make_growth.py) =="
if "$PYTHON" -c "import reportlab, pyhanko" 2>/dev/null; then
  "$PYTHON" -W ignore bench/make_growth.py "$WORK/growth" --pages "$PAGES" --revisions "$REVISIONS" --objects ""
  for kind in pages revisions; do
    list=$PAGES
    [[ $kind == revisions ]] && list=$REVISIONS
    base=""
    for n in ${list//,/ }; do
      f="$WORK/growth/$kind-$n.pdf"
      read -r cw pw cc pc < <(pair "$RUNS" "${verify[@]}" --trust "$WORK/growth/signer.pem" "$f" -- pdfsig "$f")
      [[ -z $base ]] && { base=$cw; base_n=$n; base_p=$pw; }
      printf "%-10s %5s: certcheck %9s ms (x%s of %s=%s; linear: x%s)   pdfsig %9s ms (x%s)\n" "$kind" "$n" "$cw" \
        "$(calc "$cw / $base" 2)" "$kind" "$base_n" "$(calc "$n / $base_n" 0)" "$pw" "$(calc "$pw / $base_p" 2)"
    done
  done
else
  echo "$PYTHON lacks reportlab/pyhanko; skipped."
fi

echo
echo "== 5. object-heavy file: ${OBJECTS//,/, } small objects =="
"$PYTHON" -W ignore bench/make_growth.py "$WORK/objects" --pages "" --revisions "" --objects "$OBJECTS" 2>/dev/null ||
  python3 -W ignore bench/make_growth.py "$WORK/objects" --pages "" --revisions "" --objects "$OBJECTS"
for n in ${OBJECTS//,/ }; do
  f="$WORK/objects/objects-$n.pdf"
  size=$(stat -c %s "$f")
  read -r mb secs < <(peak "${verify[@]}" "$f")
  verdict=$("$CERTCHECK" verify --quiet --format jsonl --no-default-trust "$f" |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print(r["verdict"], [x["code"] for x in r["reasons"]], r["error"] or "")' || true)
  echo "$n objects, $((size / 1048576)) MB: ${secs} s, peak RSS $mb MB (target <= 2x size + 50 MB = $((size * 2 / 1048576 + 50)) MB); $verdict"
done
