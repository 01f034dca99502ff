#!/bin/bash
# drop.sh TARGET_WINDOW_NAME FILE... : a real XDND drag of FILEs (files or folders) from a helper
# GTK window onto the centre of the target window. Exit 0 only if the target accepted the drop.
# Adapted from ../shared/tools/drop.sh. Needs DISPLAY (run inside xvfb-run), xdotool, and a
# Python with PyGObject ($PYTHON, default Debian's /usr/bin/python3). HOVER: seconds to hover
# over the target before releasing (WebKit's web process must answer XdndStatus first).
set -eu
name=$1; shift
py=${PYTHON:-/usr/bin/python3}
NO_AT_BRIDGE=1 "$py" "$(dirname "$0")/drag_source.py" "$@" & src=$!   # no a11y bus: ~3 s faster start
trap 'kill $src 2>/dev/null || true' EXIT
win() { timeout 10 xdotool search --sync --onlyvisible --name "$1" | head -1; }
win '^DragSource$' >/dev/null; t=$(win "$name")
[ -n "$t" ] || { echo "drop.sh: no visible window named '$name'" >&2; exit 1; }
eval "$(xdotool getwindowgeometry --shell "$t")"   # sets X Y WIDTH HEIGHT
cx=$((X + WIDTH / 2)); cy=$((Y + HEIGHT / 2))
sleep 0.3
xdotool mousemove 60 60 mousedown 1; sleep 0.2
# GTK starts a drag only after an 8 px move, and the target must see later motion.
for d in 4 8 16 32; do xdotool mousemove $((60 + d)) $((60 + d)); sleep 0.05; done
xdotool mousemove $((cx - 10)) $((cy - 10)); sleep 0.2
xdotool mousemove "$cx" "$cy"; sleep "${HOVER:-1}"
xdotool mouseup 1
for _ in $(seq 50); do   # the source exits on drag-end (the target fetches data after release)
  kill -0 $src 2>/dev/null || { wait $src; exit; }; sleep 0.1; done
echo "drop.sh: drag source still running 5 s after release (drop not finished?)" >&2; exit 1
