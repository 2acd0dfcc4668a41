#!/usr/bin/env bash
# rswitch benchmarks: ratios against peers measured in the same run, on loopback moto.
#
#   bash benches/bench.sh            # needs the venv from `bash tests/run.sh`, and hyperfine
#
# 1. whoami of a chained profile (alice -> switch-to -> deploy: 2 AssumeRole, which also
#    name the session), cache off, straight to moto, against
#      - `aws sts get-caller-identity --profile deploy` (awscli v1, its cache emptied before each run)
#      - the bare requests: the same two calls made with `curl --aws-sigv4`
# 2. `check --all` over 100 profiles sharing their first hops, with 100 ms injected per request.
# 3. warm-cache `export deploy` against `awsumepy deploy -s` and warm-cache awscli.
# Results are written to target/bench/ (hyperfine JSON) and summarised on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" benches/bench.sh
RUNS=${RUNS:-30}
need hyperfine "apt-get install hyperfine"
need_venv bin/aws
build_release

start_world() { # $1 latency ms, $2 fanout
  local fifo=$OUT/testkit.json
  start_testkit "$1" "$2" "$fifo"
  # The world's environment: HOME, AWS_CONFIG_FILE, ... (and nothing of the caller's AWS_*).
  for v in $("$VENV/bin/python" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["unset"]))' "$fifo"); do unset "$v"; done
  eval "$("$VENV/bin/python" -c '
import json, shlex, sys
j = json.load(open(sys.argv[1]))
for k, v in j["env"].items():
    print("export %s=%s" % (k, shlex.quote(v)))
print("export BENCH_PROXY=%s BENCH_MOTO=%s" % (shlex.quote(j["proxy"]), shlex.quote(j["moto"])))
print("export BENCH_DEPLOY=%s SWITCH_TO=%s" % (shlex.quote(j["world"]["roles"]["deploy"]), shlex.quote(j["world"]["roles"]["switch_to"])))
' "$fifo")"
  export PATH="$VENV/bin:$PATH"
}

ratio() { "$VENV/bin/python" - "$@" <<'PY'
import json, sys, statistics
def med(path): return statistics.median(json.load(open(path))["results"][0]["times"])
a, b = med(sys.argv[1]), med(sys.argv[2])
print(f"{a/b:.2f}")
PY
}
median_ms() { "$VENV/bin/python" -c 'import json,sys,statistics; print("%.1f" % (1000*statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"])))' "$1"; }

echo "== 1. whoami, chained profile, no cache (loopback moto, no injected latency)"
start_world 0 0
# Straight to moto (every tool honours AWS_ENDPOINT_URL_STS), not through the test proxy.
export AWS_ENDPOINT_URL_STS=$BENCH_MOTO
cat > "$OUT/bare.sh" <<'SH'
#!/usr/bin/env bash
# The two requests rswitch makes for `whoami deploy`, with curl and nothing else.
set -euo pipefail
tag() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" | head -n1; }
call() { # key secret token param...
  local key=$1 secret=$2 token=$3 args=()
  shift 3
  [ -n "$token" ] && args+=(-H "X-Amz-Security-Token: $token")
  for p in "$@"; do args+=(--data-urlencode "$p"); done
  curl -sS --fail-with-body --aws-sigv4 "aws:amz:eu-west-1:sts" --user "$key:$secret" "${args[@]}" "$AWS_ENDPOINT_URL_STS/"
}
r1=$(call "$ALICE_KEY" "$ALICE_SECRET" "" Action=AssumeRole Version=2011-06-15 "RoleArn=$SWITCH_TO" RoleSessionName=bench)
k=$(tag AccessKeyId <<<"$r1"); s=$(tag SecretAccessKey <<<"$r1"); t=$(tag SessionToken <<<"$r1")
call "$k" "$s" "$t" Action=AssumeRole Version=2011-06-15 "RoleArn=$BENCH_DEPLOY" RoleSessionName=bench | tag Arn | grep -q Deploy
SH
chmod +x "$OUT/bare.sh"
export ALICE_KEY ALICE_SECRET
ALICE_KEY=$(sed -n 's/^aws_access_key_id *= *//p' "$AWS_SHARED_CREDENTIALS_FILE" | head -n1)
ALICE_SECRET=$(sed -n 's/^aws_secret_access_key *= *//p' "$AWS_SHARED_CREDENTIALS_FILE" | head -n1)
"$OUT/bare.sh" || { echo "the bare curl sequence failed" >&2; exit 1; }
"$RSWITCH" --no-cache whoami deploy >/dev/null
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$OUT/whoami-rswitch.json" "$RSWITCH --no-cache whoami deploy" >/dev/null
hyperfine --warmup 3 --runs "$RUNS" --export-json "$OUT/whoami-bare.json" "$OUT/bare.sh" >/dev/null
hyperfine --warmup 1 --runs "$((RUNS / 3 + 1))" --prepare "rm -rf $HOME/.aws/cli/cache" \
  --export-json "$OUT/whoami-aws.json" "aws sts get-caller-identity --profile deploy" >/dev/null
echo "rswitch whoami:                  $(median_ms "$OUT/whoami-rswitch.json") ms (median)"
echo "bare curl sequence (2 requests): $(median_ms "$OUT/whoami-bare.json") ms"
echo "aws sts get-caller-identity:     $(median_ms "$OUT/whoami-aws.json") ms"
echo "awscli / rswitch:                $(ratio "$OUT/whoami-aws.json" "$OUT/whoami-rswitch.json")x"
echo "rswitch / bare requests:         $(ratio "$OUT/whoami-rswitch.json" "$OUT/whoami-bare.json")x"

echo "== 3. warm-cache export of the chained profile"
"$RSWITCH" export deploy >/dev/null           # fills ~/.aws/cli/cache for every hop
aws sts get-caller-identity --profile deploy >/dev/null
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$OUT/export-rswitch.json" "$RSWITCH export deploy" >/dev/null
hyperfine -N --warmup 1 --runs "$((RUNS / 3 + 1))" --export-json "$OUT/export-aws.json" "aws sts get-caller-identity --profile deploy" >/dev/null
awsumepy deploy -s >/dev/null 2>"$OUT/awsume.err" || { echo "awsume cannot assume deploy here:"; cat "$OUT/awsume.err"; }
hyperfine -N --warmup 1 --runs "$((RUNS / 3 + 1))" --export-json "$OUT/export-awsume.json" "awsumepy deploy -s" >/dev/null 2>&1 || rm -f "$OUT/export-awsume.json"
echo "rswitch export (warm cache):     $(median_ms "$OUT/export-rswitch.json") ms"
echo "aws (warm cache):                $(median_ms "$OUT/export-aws.json") ms  -> $(ratio "$OUT/export-aws.json" "$OUT/export-rswitch.json")x slower"
[ -s "$OUT/export-awsume.json" ] && echo "awsumepy -s:                     $(median_ms "$OUT/export-awsume.json") ms  -> $(ratio "$OUT/export-awsume.json" "$OUT/export-rswitch.json")x slower"
stop_testkit

echo "== 2. check --all over 100 fan-out profiles, 100 ms per request"
start_world 100 100
n=$("$RSWITCH" list --names | wc -l)
hyperfine -N --warmup 1 --runs 5 -i --export-json "$OUT/check-all.json" "$RSWITCH --no-cache check --all" >/dev/null
echo "check --all over $n profiles:    $(median_ms "$OUT/check-all.json") ms (median of 5)"
stop_testkit
