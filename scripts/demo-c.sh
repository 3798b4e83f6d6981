#!/bin/sh
# The C half of the demo: build an example from C with `mbpf build`, look at
# the image with `mbpf objdump`, and run it with the host's simulated sensor.
# Usage: scripts/demo-c.sh [BUILD_DIR]   (default: build)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
MBPF="$BUILD/tools/mbpf"
OUT="$BUILD/demo"
SRC="$ROOT/examples/sensor_avg.c"

if [ ! -x "$MBPF" ]; then
    echo "demo: $MBPF not found; build first (make build)" >&2
    exit 1
fi
mkdir -p "$OUT"
show() {
    printf '$'
    for a in "$@"; do printf ' %s' "$a"; done
    printf '\n'
    "$@"
}

printf '\n== C to image: %s (moving average + alarm over simulated readings)\n' "$SRC"
show "$MBPF" build "$SRC" -o "$OUT/sensor_avg.mbpf" --debug
printf '\n== The image (first lines of the listing)\n'
"$MBPF" objdump "$OUT/sensor_avg.mbpf" | sed -n '1,40p'
printf '\n== Run it on the host (printf to stdout, simulated temperature sensor)\n'
show "$MBPF" run "$OUT/sensor_avg.mbpf"
echo "(average 31.32 C after 16 readings, 5 alarms: r0 = 5 * 10000 + 3132)"
