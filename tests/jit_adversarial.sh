#!/bin/sh
# Adversarial JIT programs (tests/jit_adversarial/*.s): each runs through
# `mbpf jit --run` (interpreter and JIT under Unicorn, every field compared)
# with the options of its `# args:` line, and the interpreter's outcome must
# be its `# expect:` line (fault addresses of 8 hex digits or more, which
# depend on where the host put the buffers, are not compared: the JIT's are
# compared with the interpreter's). usage: jit_adversarial.sh MBPF DIR
set -u
norm() { printf '%s\n' "$1" | sed 's/fault 0x[0-9a-f]\{8,\}/fault ADDR/'; }
mbpf=$1 dir=$2
fails=0 n=0
for f in "$dir"/*.s; do
  n=$((n + 1))
  args=$(sed -n 's/^# args: *//p' "$f" | head -n 1)
  expect=$(sed -n 's/^# expect: *//p' "$f" | head -n 1)
  # shellcheck disable=SC2086 # the args line is split on purpose
  out=$("$mbpf" jit "$f" --run $args 2>&1)
  rc=$?
  got=$(printf '%s\n' "$out" | sed -n 's/^interpreter: //p')
  if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q '^verdict: *same$'; then
    echo "FAIL: $(basename "$f"): JIT differs from the interpreter (exit $rc)"
    printf '%s\n' "$out"
    fails=$((fails + 1))
  elif [ -z "$expect" ] || [ "$(norm "$got")" != "$(norm "$expect")" ]; then
    echo "FAIL: $(basename "$f"): interpreter gave '$got', expected '$expect'"
    fails=$((fails + 1))
  fi
done
echo "jit_adversarial: $n programs, $fails failure(s)"
[ $n -gt 0 ] && [ $fails -eq 0 ]
