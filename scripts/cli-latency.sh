#!/usr/bin/env bash
# End-to-end latency of `ckasim list` and `ckasim grade --snapshot`: the
# median of N runs of the given binary, with a private CKASIM_HOME.
set -euo pipefail
bin=${1:-target/release/ckasim}
runs=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
snapshot="$root/../shared/fixtures/secure-workspace/solved.json"
export CKASIM_HOME
CKASIM_HOME=$(mktemp -d)
trap 'rm -rf "$CKASIM_HOME"' EXIT
median() {
  python3 - "$@" <<'PY'
import subprocess, sys, time, statistics
runs = int(sys.argv[1]); cmd = sys.argv[2:]
ts = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ts):.1f} ms median, {min(ts):.1f} ms min over {runs} runs: {' '.join(cmd[1:])}")
PY
}
median "$runs" "$bin" list
median "$runs" "$bin" grade secure-workspace --snapshot "$snapshot"
