#!/usr/bin/env bash
# Idle cost of the TUI: runs `ckasim start secure-workspace` in a detached
# tmux pane, lets it settle, then reads the process's CPU time (utime+stime
# from /proc/PID/stat) across an idle window. Goal: under 20 ms per 5 s.
#
#   scripts/idle-cpu.sh [BINARY] [SECONDS]     (default: target/release/ckasim, 5)
set -euo pipefail
bin=${1:-${CARGO_TARGET_DIR:-target}/release/ckasim}
window=${2:-5}
home=$(mktemp -d)
sock="ckasim-idle-$$"
pid=
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  # ckasim saves its session on SIGHUP: let it finish before removing its home.
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -rf "$home"
}
trap cleanup EXIT

tmux -L "$sock" -f /dev/null new-session -d -s idle -x 120 -y 40 \
  "exec env CKASIM_HOME='$home' KUBECONFIG=/nonexistent TERM=xterm-256color '$bin' start secure-workspace"
for _ in $(seq 50); do
  tmux -L "$sock" capture-pane -p -t idle | grep -q 'time left' && break
  sleep 0.1
done
pid=$(tmux -L "$sock" display-message -p -t idle '#{pane_pid}')
sleep 2   # let start-up work (library load, first frames) finish
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$window"
after=$(ticks)
echo "idle CPU over ${window}s: $(( (after - before) * 1000 / hz )) ms (utime+stime, ${hz} ticks/s, pid $pid)"
