#!/usr/bin/env bash
# Plays every built-in scenario on a real kind cluster, as a candidate would
# with the reference answer: reset (setup applied), a grade of the untouched
# start, the solution's manifests applied with kubectl, the pods given time,
# a grade of the solved state. One line per scenario:
#
#   ID  START  SOLVED  NOTE
#
# A solved grade below the maximum is a finding to look at: a reference
# solution that does not run (an image, a probe, a user), or a solution whose
# steps go beyond its manifests (`kubectl patch`, helm, openssl, docker exec,
# said in NOTE: do those by hand from `[solution] shell` and grade again).
# Scenarios needing an add-on that `ckasim doctor` reports missing are
# skipped with the reason.
#
#   scripts/verify-solutions.sh [--context kind-cka] [--wait SECONDS] [ID...]
#
# It changes the cluster as `ckasim reset` does, for every scenario it plays,
# and leaves the last one solved. Needs kubectl, python3 (3.11+, for tomllib)
# and a kind cluster from assets/kind-cluster.yaml.
set -uo pipefail

cd "$(dirname "$0")/.."
context=kind-cka
wait=120
ids=()
while [ $# -gt 0 ]; do
  case "$1" in
    --context) context="$2"; shift 2 ;;
    --wait) wait="$2"; shift 2 ;;
    -*) echo "usage: $0 [--context NAME] [--wait SECONDS] [ID...]" >&2; exit 2 ;;
    *) ids+=("$1"); shift ;;
  esac
done

cargo build --release --quiet || exit 2
ckasim=target/release/ckasim
if [ ${#ids[@]} -eq 0 ]; then
  mapfile -t ids < <("$ckasim" list | tail -n +2 | awk '{print $1}')
fi
missing=$("$ckasim" doctor --context "$context" | awk '/^miss add-on/ {print $3}')

# A field of scenarios/ID.toml: namespaces (one per line), addons, the
# solution's manifests, or whether its shell does more than kubectl
# apply/get/describe/wait/config/logs/exec and curl.
field() {
  python3 - "$1" "$2" <<'EOF'
import re, sys, tomllib
scenario = tomllib.load(open(f"scenarios/{sys.argv[1]}.toml", "rb"))
what = sys.argv[2]
solution = scenario.get("solution", {})
if what == "namespaces":
    print("\n".join(scenario["namespaces"]))
elif what == "addons":
    print(" ".join(scenario.get("addons", [])))
elif what == "manifests":
    print(solution.get("manifests", ""))
elif what == "manual":
    plain = re.compile(r"^\s*(#.*)?$|^\s*kubectl (apply|get|describe|wait|config|logs|exec|rollout status)\b|^\s*curl\b")
    steps = [l.strip() for l in solution.get("shell", "").splitlines() if not plain.match(l)]
    print(steps[0][:60] if steps else "")
EOF
}

score() {
  "$ckasim" grade "$1" --context "$context" --format json 2>/dev/null \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); print(str(r["score"]) + "/" + str(r["max_score"]))' 2>/dev/null \
    || echo "error"
}

printf '%-32s %-8s %-8s %s\n' ID START SOLVED NOTE
for id in "${ids[@]}"; do
  skip=""
  for addon in $(field "$id" addons); do
    if grep -qx "$addon" <<<"$missing"; then skip="skipped: add-on $addon missing"; fi
  done
  if [ -n "$skip" ]; then
    printf '%-32s %-8s %-8s %s\n' "$id" - - "$skip"
    continue
  fi
  if ! "$ckasim" reset "$id" --context "$context" >/dev/null 2>&1; then
    printf '%-32s %-8s %-8s %s\n' "$id" - - "reset failed: ckasim reset $id --context $context"
    continue
  fi
  namespaces=$(field "$id" namespaces)
  for ns in $namespaces; do
    kubectl --context "$context" wait pods --all -n "$ns" --for=condition=Ready --timeout=30s >/dev/null 2>&1
  done
  start=$(score "$id")
  manifests=$(field "$id" manifests)
  if [ -n "$manifests" ]; then
    kubectl --context "$context" apply -f - <<<"$manifests" >/dev/null 2>&1
  fi
  for ns in $namespaces; do
    kubectl --context "$context" wait pods --all -n "$ns" --for=condition=Ready --timeout="${wait}s" >/dev/null 2>&1
  done
  solved=$(score "$id")
  manual=$(field "$id" manual)
  note=""
  if [ -n "$manual" ]; then note="by hand too: $manual"; fi
  printf '%-32s %-8s %-8s %s\n' "$id" "$start" "$solved" "$note"
done
