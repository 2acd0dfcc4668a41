#!/usr/bin/env bash
# How `list`, `lint` and planning scale with the size of the configuration: a
# source_profile chain N profiles deep, and N profiles with findings each. Each command is
# timed at N and at N/10 in the same run; a time ratio near 10 means linear (a quadratic
# walk would give ~100, a cubic one ~1000).
#
#   bash benches/config_scale.sh                  # needs hyperfine
#   RSWITCH_BEFORE=path/to/old/rswitch bash benches/config_scale.sh
#                                                 # also times an older build (at sizes it can finish)
#
# Results go to target/bench/config_scale-*.json (hyperfine) and are summarised on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" benches/config_scale.sh
need hyperfine "apt-get install hyperfine"
need python3
RUNS=${RUNS:-5}
DEEP=${DEEP:-10000}
WIDE=${WIDE:-20000}
cargo build --release --quiet --bin rswitch

# chain DIR N: p0 has static keys; p1..pN each assume a role from the one before.
chain() {
  mkdir -p "$1"
  printf '[p0]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n' > "$1/credentials"
  awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
    printf "[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/R%d\nsource_profile = p%d\n\n", i, i, i - 1 }' > "$1/config"
}

# wide DIR N: N profiles, each with a chain finding (role_arn without a source) and a
# value finding (duration_seconds out of range).
# (Time ratios: size x10 -> time x10 is linear, x100 quadratic; size x2 -> x4 quadratic, x8 cubic.)
wide() {
  mkdir -p "$1"
  : > "$1/credentials"
  awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
    printf "[profile w%d]\nrole_arn = arn:aws:iam::123456789012:role/W\nduration_seconds = 60\n\n", i }' > "$1/config"
}

# timeit NAME BINARY DIR COMMAND...: hyperfine's median in ms; the JSON in target/bench.
timeit() {
  local name=$1 bin=$2 dir=$3; shift 3
  local json=$OUT/config_scale-$name.json
  HOME=$dir AWS_CONFIG_FILE=$dir/config AWS_SHARED_CREDENTIALS_FILE=$dir/credentials \
    hyperfine --runs "$RUNS" --warmup 1 -N -i --export-json "$json" --style none \
    "$bin $*" >/dev/null 2>&1
  python3 -c 'import json,sys,statistics; print("%.1f" % (1000*statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"])))' "$json"
}

# row LABEL BINARY SMALL LARGE KIND COMMAND...: one line of the summary.
row() {
  local label=$1 bin=$2 small=$3 large=$4 kind=$5; shift 5
  local a=$OUT/scale-$kind-$small b=$OUT/scale-$kind-$large
  "$kind" "$a" "$small"; "$kind" "$b" "$large"
  local cmd=("$@")
  local t1 t2
  t1=$(timeit "$label-$small" "$bin" "$a" "${cmd[@]//\{N\}/$small}")
  t2=$(timeit "$label-$large" "$bin" "$b" "${cmd[@]//\{N\}/$large}")
  printf '%-36s %6s profiles %9s ms  %6s profiles %9s ms  size x%-3s time x%.1f\n' \
    "$label" "$small" "$t1" "$large" "$t2" "$((large / small))" "$(python3 -c "print($t2/max($t1,0.1))")"
}

echo "== rswitch at N/10 and N (median of $RUNS runs)"
row "list --json, chain"        "$RSWITCH" $((DEEP / 10)) "$DEEP" chain list --json
row "lint, chain"               "$RSWITCH" $((DEEP / 10)) "$DEEP" chain lint
row "plan the deepest (cache clear)" "$RSWITCH" $((DEEP / 10)) "$DEEP" chain cache clear "p{N}"
row "list --json, findings"     "$RSWITCH" $((WIDE / 10)) "$WIDE" wide list --json
row "lint, findings"            "$RSWITCH" $((WIDE / 10)) "$WIDE" wide lint

if [ -n "${RSWITCH_BEFORE:-}" ]; then
  BEFORE_DEEP=${BEFORE_DEEP:-1000}
  BEFORE_WIDE=${BEFORE_WIDE:-8000}
  echo "== $RSWITCH_BEFORE (the build before), at sizes it finishes"
  row "before: list --json, chain"  "$RSWITCH_BEFORE" $((BEFORE_DEEP / 2)) "$BEFORE_DEEP" chain list --json
  row "before: lint, chain"         "$RSWITCH_BEFORE" $((BEFORE_DEEP / 2)) "$BEFORE_DEEP" chain lint
  row "before: list --json, findings" "$RSWITCH_BEFORE" $((BEFORE_WIDE / 2)) "$BEFORE_WIDE" wide list --json
fi
