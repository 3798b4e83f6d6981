#!/usr/bin/env python3
"""Turns the benchmark firmware's output (run1.txt) and the size listings
written by bench/run.sh into results.csv, sizes.csv, components.csv, the
gnuplot data files and docs/benchmarks.md. Every figure in the document comes
from those files: nothing here is typed in by hand except the targets and the
published peer figures (from the issue and ../shared/reference/peers.md)."""
import argparse
import csv
import os
import re
import subprocess
import sys

MODES = ["native", "interp", "jit", "jit_compile", "load_verify"]

# Targets of issue 5.
T_JIT_RATIO = 1.2
T_INTERP_RATIO = 10.0
T_COMPILE_PER_INSN = 300
T_CORE_FLASH = 8 * 1024
T_JIT_FLASH = 12 * 1024

# Published µBPF prototype figures (Cortex-M4 STM32F446 @ 180 MHz, µs).
PEER_N = [80, 160, 320, 640, 1280, 2560]
PEER = {
    "native": [15, 29, 58, 114, 226, 451],
    "fc_interp": [328, 646, 1282, 2555, 5100, 10191],
    "ubpf_interp": [745, 1465, 2903, 5779, 11532, 23037],
    "ubpf_jit": [38, 56, 92, 162, 304, 588],
    "ubpf_compile": [1871, 1871, 1884, 1898, 1937, 2006],
}


def parse_run(path):
    res, sizes, jit, checks, errors, missing = {}, {}, {}, {}, [], set()
    micro = {}
    insn_cost = {}
    overhead = None
    order = []
    with open(path) as f:
        for line in f:
            p = line.strip().split(",")
            if p[0] == "result":
                res[(p[1], p[2])] = int(p[3])
                if p[1] not in order:
                    order.append(p[1])
            elif p[0] == "size":
                sizes[p[1]] = dict(insns=int(p[2]), image=int(p[3]), arena=int(p[4]),
                                   vm=int(p[5]))
            elif p[0] == "jitsize":
                jit[p[1]] = dict(code=int(p[2]), stack=int(p[3]))
            elif p[0] == "check":
                checks[p[1]] = p[2:5]
            elif p[0] == "error":
                errors.append(line.strip())
            elif p[0] == "missing":
                missing.add(p[1])
            elif p[0] == "calib":
                micro["calib_expected"] = int(p[1])
                micro["calib_measured"] = int(p[2])
            elif p[0] == "insncost":
                insn_cost[(p[1], p[2])] = (int(p[3]) - int(p[4])) / int(p[5])
            elif p[0] == "micro":
                micro[p[1]] = int(p[2])
            elif p[0] == "overhead":
                overhead = int(p[1])
            elif p[0] == "jitruntime":
                micro["jit_runtime"] = int(p[1])
    return dict(res=res, sizes=sizes, jit=jit, checks=checks, errors=errors,
                missing=missing, overhead=overhead, order=order, micro=micro,
                insn_cost=insn_cost)


def parse_size(path):
    """arm-none-eabi-size (Berkeley) output: {file: (text, data, bss)}."""
    out = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 6 and p[0].isdigit():
                out[p[5]] = (int(p[0]), int(p[1]), int(p[2]))
    return out


def component(path):
    """Component of a core object file, from its source path."""
    name = os.path.basename(path).replace(".c.obj", ".c")
    if "/jit/" in path:
        return "jit"
    if "/image/" in path:
        return "loader"
    if "/maps/" in path:
        return "maps"
    if "/helpers/" in path:
        return "iot_helpers"
    return {"interp.c": "interpreter", "verifier.c": "verifier", "isa.c": "isa_table"}.get(
        name, "vm_core")


CORE_TARGET_PARTS = ["vm_core", "isa_table", "interpreter", "verifier", "loader"]
COMPONENT_ORDER = CORE_TARGET_PARTS + ["maps", "iot_helpers", "jit", "board"]
COMPONENT_TEXT = {
    "vm_core": "VM core (vm.c, mem.c, helpers.c, status.c)",
    "isa_table": "instruction table (isa.c)",
    "interpreter": "interpreter (interp.c)",
    "verifier": "verifier (verifier.c)",
    "loader": "image loader (src/image/)",
    "maps": "maps (src/maps/)",
    "iot_helpers": "IoT helpers (src/helpers/)",
    "jit": "JIT (src/jit/)",
    "board": "board layer (port/cortex-m board + common)",
}


def group_sizes(listing, board=None):
    groups = {}
    for path, (t, d, b) in listing.items():
        g = component(path)
        a = groups.setdefault(g, [0, 0, 0])
        a[0] += t
        a[1] += d
        a[2] += b
    if board:
        a = groups.setdefault("board", [0, 0, 0])
        for t, d, b in board.values():
            a[0] += t
            a[1] += d
            a[2] += b
    return groups


def linked_sizes(map_path):
    """Bytes each core component really occupies in the linked firmware
    (after --gc-sections), from the GNU ld map file: {component: [flash, ram]}."""
    groups = {}
    if not os.path.exists(map_path):
        return groups
    out_sec = None
    pending = None
    started = False
    rx_full = re.compile(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$")
    rx_cont = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$")
    rx_name = re.compile(r"^ (\.\S+)$")
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                started = True
                continue
            if not started:
                continue
            m = re.match(r"^(\.\S+)", line)
            if m:
                out_sec = m.group(1)
                continue
            m = rx_full.match(line)
            size = obj = None
            if m:
                size, obj = int(m.group(3), 16), m.group(4)
            else:
                m = rx_cont.match(line)
                if m and pending:
                    size, obj = int(m.group(2), 16), m.group(3)
                else:
                    n = rx_name.match(line)
                    pending = n.group(1) if n else None
                    continue
            pending = None
            if not size or "libmbpf_core.a(" not in obj and "libfw_board.a(" not in obj:
                continue
            if "libfw_board.a(" in obj:
                g = "board"
            else:
                src = obj[obj.index("(") + 1:-1]
                # The archive member name has no directory: map it back.
                g = member_component.get(src, "vm_core")
            a = groups.setdefault(g, [0, 0])
            if out_sec in (".text", ".ARM.exidx", ".vectors"):
                a[0] += size
            elif out_sec == ".data":
                a[0] += size
                a[1] += size
            elif out_sec == ".bss":
                a[1] += size
    return groups


member_component = {}


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}x"


def verdict(value, target, lower_is_better=True):
    if value is None:
        return "not measured"
    if value <= target:
        return f"met ({value:.2f} <= {target})" if isinstance(value, float) else \
            f"met ({value} <= {target})"
    over = value / target
    return f"MISSED by {over:.2f}x ({value:.2f} vs {target})" if isinstance(value, float) \
        else f"MISSED by {value - target} bytes ({over:.2f}x)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--identical", default="unknown")
    a = ap.parse_args()
    out, root = a.out, a.root
    run = parse_run(os.path.join(out, "run1.txt"))
    res, sizes, jit = run["res"], run["sizes"], run["jit"]
    order = run["order"]
    os_path = os.path.join(out, "run-os.txt")
    run["os"] = parse_run(os_path)["res"] if os.path.exists(os_path) else {}

    def get(w, m):
        return res.get((w, m))

    def ratio(w, m):
        n, v = get(w, "native"), get(w, m)
        return v / n if n and v is not None else None

    # ---- results.csv -------------------------------------------------------
    rows = []
    for w in order:
        s = sizes.get(w, {})
        j = jit.get(w, {})
        ram = None
        if s:
            ram = s["arena"] + s["vm"] + j.get("code", 0) + j.get("stack", 0)
        for m in MODES:
            v = get(w, m)
            if v is None:
                continue
            per = ""
            if m in ("jit_compile", "load_verify") and s:
                per = f"{v / s['insns']:.1f}"
            r = ratio(w, m)
            rows.append([w, m, v, f"{r:.3f}" if r is not None else "", s.get("insns", ""),
                         per, s["insns"] * 8 if s else "", s.get("image", ""),
                         j.get("code", ""), ram if ram is not None else ""])
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["workload", "mode", "instructions", "ratio_to_native", "ebpf_insns",
                     "instructions_per_ebpf_insn", "bytecode_bytes", "image_bytes",
                     "jit_bytes", "program_ram_bytes"])
        cw.writerows(rows)
    with open(os.path.join(out, "results-os.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["workload", "mode", "instructions", "ratio_to_native"])
        for w in order:
            nat = run["os"].get((w, "native"))
            for m in MODES:
                v = run["os"].get((w, m))
                if v is not None:
                    cw.writerow([w, m, v, f"{v / nat:.3f}" if nat else ""])
    with open(os.path.join(out, "sizes.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["workload", "ebpf_insns", "bytecode_bytes", "image_bytes", "jit_bytes",
                     "arena_bytes", "vm_bytes", "jit_native_stack_bytes", "program_ram_bytes"])
        for w in order:
            s, j = sizes.get(w), jit.get(w, {})
            if not s:
                continue
            cw.writerow([w, s["insns"], s["insns"] * 8, s["image"], j.get("code", ""),
                         s["arena"], s["vm"], j.get("stack", ""),
                         s["arena"] + s["vm"] + j.get("code", 0) + j.get("stack", 0)])

    # ---- components --------------------------------------------------------
    os_core = parse_size(os.path.join(out, "size-core-os.txt"))
    o2_core = parse_size(os.path.join(out, "size-core-o2.txt"))
    board_o2 = parse_size(os.path.join(out, "size-board-fw.txt"))
    board_os = parse_size(os.path.join(out, "size-board-fw-os.txt"))
    for path in list(os_core) + list(o2_core):
        member_component[os.path.basename(path)] = component(path)
    g_os = group_sizes(os_core, board_os)
    g_o2 = group_sizes(o2_core, board_o2)
    g_link = linked_sizes(os.path.join(out, "fw", "mbpf-bench.map"))
    with open(os.path.join(out, "components.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["build", "component", "text", "data", "bss", "flash", "ram"])
        for label, g in (("objects_Os", g_os), ("objects_O2", g_o2)):
            for c in COMPONENT_ORDER:
                if c in g:
                    t, d, b = g[c]
                    cw.writerow([label, c, t, d, b, t + d, d + b])
        for c in COMPONENT_ORDER:
            if c in g_link:
                cw.writerow(["linked_O2", c, "", "", "", g_link[c][0], g_link[c][1]])

    def flash(g, parts):
        return sum(g[c][0] + g[c][1] for c in parts if c in g)

    core_os = flash(g_os, CORE_TARGET_PARTS)
    jit_os = flash(g_os, ["jit"]) if "jit" in g_os else None

    # ---- plot data ---------------------------------------------------------
    with open(os.path.join(out, "fletcher16.dat"), "w") as f:
        f.write("# bytes native interp jit\n")
        for n in PEER_N:
            w = f"fletcher16_{n}"
            vals = [get(w, m) for m in ("native", "interp", "jit")]
            f.write(f"{n} " + " ".join("NaN" if v is None else str(v) for v in vals) + "\n")
    with open(os.path.join(out, "ratios.dat"), "w") as f:
        f.write("# workload interp/native jit/native\n")
        for w in order:
            ri, rj = ratio(w, "interp"), ratio(w, "jit")
            f.write(f"{w} {'NaN' if ri is None else f'{ri:.3f}'} "
                    f"{'NaN' if rj is None else f'{rj:.3f}'}\n")

    with open(os.path.join(out, "plotvars.gp"), "w") as f:
        f.write(f"hasjit = {1 if any(get(x, 'jit') is not None for x in order) else 0}\n")

    # ---- docs/benchmarks.md --------------------------------------------------
    write_doc(root, out, run, a.identical, ratio, get, g_os, g_o2, g_link, core_os, jit_os)


def write_doc(root, out, run, identical, ratio, get, g_os, g_o2, g_link, core_os, jit_os):
    res, sizes, jit, order = run["res"], run["sizes"], run["jit"], run["order"]
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no",
                            "src", "include"], capture_output=True, text=True).stdout.strip()
    L = []
    w = L.append
    w("# Benchmarks on a Cortex-M4 (QEMU mps2-an386)")
    w("")
    w("Generated by `make bench` (bench/run.sh, bench/report.py): every figure below is")
    w("output of the benchmark firmware. Do not edit by hand; rerun `make bench`.")
    w(f"Source tree: commit {commit}" + (" with uncommitted changes in src/ or include/"
                                         if dirty else "") + ".")
    w("")
    w("## Targets")
    w("")
    f640 = "fletcher16_640"
    rj, ri = ratio(f640, "jit"), ratio(f640, "interp")
    comp = get(f640, "jit_compile")
    comp_per = comp / sizes[f640]["insns"] if comp is not None and f640 in sizes else None
    worst_comp = None
    for x in order:
        c = get(x, "jit_compile")
        if c is not None and x in sizes:
            v = c / sizes[x]["insns"]
            if worst_comp is None or v > worst_comp[0]:
                worst_comp = (v, x)
    w("| target | measured | verdict |")
    w("|---|---|---|")
    w(f"| JIT'd code <= {T_JIT_RATIO}x native on fletcher16_640 (memory checks on) | "
      f"{fmt_ratio(rj)} | {verdict(rj, T_JIT_RATIO)} |")
    w(f"| interpreter <= {T_INTERP_RATIO:g}x native on fletcher16_640 | {fmt_ratio(ri)} | "
      f"{verdict(ri, T_INTERP_RATIO)} |")
    w(f"| JIT compile <= {T_COMPILE_PER_INSN} device instructions per eBPF instruction | "
      + ("-" if comp_per is None else f"{comp_per:.0f} on fletcher16_640, worst "
         f"{worst_comp[0]:.0f} ({worst_comp[1]})")
      + f" | {verdict(None if worst_comp is None else round(worst_comp[0], 2), float(T_COMPILE_PER_INSN))} |")
    w(f"| loader + verifier + interpreter (+ VM core) <= 8 KiB flash (-Os) | {core_os} B | "
      f"{verdict(core_os, T_CORE_FLASH)} |")
    w(f"| JIT <= 12 KiB flash (-Os) | {'-' if jit_os is None else f'{jit_os} B'} | "
      f"{verdict(jit_os, T_JIT_FLASH)} |")
    w("")
    # Where the misses come from, computed from the figures below.
    notes = []
    sl = {}
    for m in ("native", "interp", "jit"):
        x0, x1 = get("fletcher16_1280", m), get("fletcher16_2560", m)
        if x0 is not None and x1 is not None:
            sl[m] = (x1 - x0) / 1280
    mc = run["micro"].get("check_mem_region")
    if "jit" in sl and rj is not None and rj > T_JIT_RATIO:
        t = (f"JIT: {sl['jit']:.1f} instructions per input byte against {sl['native']:.1f} "
             f"native; the 1.2x target allows {sl['native'] * T_JIT_RATIO:.1f}.")
        if mc and sl["jit"] - sl["native"] > mc:
            t += (f" The excess over native is more than one core memory check ({mc} "
                  f"instructions) per byte: the one load per byte, from .rodata (a region of "
                  f"the table, not the stack), takes an out-of-line check.")
        elif mc:
            t += (f" The excess over native is {sl['jit'] - sl['native']:.1f} instructions per "
                  f"byte (8 eBPF instructions, one of them a load from .rodata), less than one "
                  f"call of the core's memory check ({mc}).")
        notes.append(t)
    if "interp" in sl and ri is not None and ri > T_INTERP_RATIO:
        notes.append(f"Interpreter: {sl['interp']:.1f} instructions per input byte for 8 eBPF "
                     f"instructions, i.e. {sl['interp'] / 8:.1f} per eBPF instruction; 10x "
                     f"native allows {sl['native'] * T_INTERP_RATIO / 8:.1f} per eBPF instruction "
                     f"on this loop."
                     + (f" Measured alone (below): an ALU instruction costs "
                        f"{run['insn_cost'][('add64_reg', 'interp')]:.0f}, a stack load "
                        f"{run['insn_cost'][('ldxdw_stack', 'interp')]:.0f}, a load from a "
                        f"region {run['insn_cost'][('ldxb_region', 'interp')]:.0f}."
                        if ("ldxdw_stack", "interp") in run["insn_cost"] and
                        ("add64_reg", "interp") in run["insn_cost"] and
                        ("ldxb_region", "interp") in run["insn_cost"] else ""))
    big = sorted(((g_os[c][0] + g_os[c][1], c) for c in CORE_TARGET_PARTS if c in g_os),
                 reverse=True)
    if core_os > T_CORE_FLASH and big:
        notes.append("Core flash at -Os: " + ", ".join(f"{COMPONENT_TEXT[c]} {v}" for v, c in big)
                     + " bytes.")
    if notes:
        w("Notes (computed from the figures below):")
        w("")
        for t in notes:
            w(f"- {t}")
        w("")
    if run["missing"]:
        w(f"**Missing:** the core library had no complete JIT (mbpf_jit_compile and "
          f"mbpf_jit_run) when this report was generated, so the `jit` and `jit_compile` "
          f"rows are absent for: {', '.join(sorted(run['missing']))}.")
        w("")
    if run["errors"]:
        w("**Errors reported by the firmware:**")
        w("")
        for e in run["errors"]:
            w(f"    {e}")
        w("")
    w("## How to reproduce")
    w("")
    w("    make bench            # = bench/run.sh build")
    w("")
    w("which runs, in order:")
    w("")
    w("    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build --target mbpf")
    w("    build/tools/mbpf build bench/workloads/<src>.c -I bench/workloads -D WL_N=<n> \\")
    w("        --entry wl_main -o build/bench/images/<name>.mbpf     # one per workloads.txt line")
    w("    cmake -S bench/firmware -B build/bench/fw -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \\")
    w("        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-O2 \\")
    w("        -DMBPF_BENCH_IMAGES=build/bench/images && cmake --build build/bench/fw --target mbpf-bench")
    w("    # the same again in build/bench/fw-os with -DCMAKE_BUILD_TYPE=MinSizeRel "
      "-DCMAKE_C_FLAGS_MINSIZEREL=-Os")
    w("    qemu-system-arm -M mps2-an386 -display none -monitor none \\")
    w("        -semihosting-config enable=on,target=native -icount shift=7,sleep=off \\")
    w("        -serial file:build/bench/runN.txt -kernel build/bench/fw/mbpf-bench.elf   # twice")
    w("    # and once build/bench/fw-os/mbpf-bench.elf -> build/bench/run-os.txt")
    w("    arm-none-eabi-size <objects>; python3 bench/report.py ...; gnuplot bench/plots/*.gp")
    w("")
    w("Outputs: `build/bench/results.csv` (workload, mode, instructions, ratio to native, "
      "eBPF instructions, instructions per eBPF instruction for jit_compile/load_verify, "
      "bytecode/image/JIT bytes, program RAM), `sizes.csv`, `components.csv`, the raw "
      "firmware output `run1.txt`/`run2.txt`, and the plots in `docs/bench/`.")
    w("")
    w("## Method")
    w("")
    w("- **Counting instructions.** QEMU models no cycles, but with `-icount shift=7,sleep=off`")
    w("  virtual time advances by exactly 2^7 ns = 128 ns per executed instruction and")
    w("  nothing else (no wall clock, no sleeping). SysTick is clocked at 25 MHz (40 ns), so")
    w("  it advances 3.2 ticks per instruction. The firmware reads `systick_ticks()`")
    w("  (port/cortex-m/common/systick.c: 1 kHz interrupt + current value) before and after")
    w("  each measured call; instructions = round(ticks / 3.2).")
    w(f"- **Overhead.** Two back-to-back `systick_ticks()` reads cost {run['overhead']} ticks;")
    w("  this is subtracted from every figure, so a figure is the instructions of the call")
    w("  itself (call, argument set-up and return included).")
    mc = run["micro"]
    if "calib_expected" in mc:
        e, m = mc["calib_expected"], mc["calib_measured"]
        w(f"- **Calibration.** A hand-written loop of exactly {e} instructions (subs/bne,")
        w(f"  then bx lr; about 4 more for the call) measures as {m}: the difference,")
        w(f"  {m - e - 4} instructions or {100 * (m - e - 4) / e:.3f} %, is the 1 kHz SysTick handler")
        w(f"  ({e / 7812.5:.1f} interrupts of 5 instructions) plus rounding.")
    w("- **Deterministic.** The instruction stream depends only on the firmware and the")
    w("  images, and with -icount QEMU derives time from it alone, so every run gives the")
    w("  same numbers. `make bench` runs the firmware twice and compares the complete")
    w(f"  output: **{'identical' if identical == 'yes' else 'NOT identical' if identical == 'no' else 'not checked'}**"
      " in the run that produced this file.")
    w("- **What is counted.** Instructions, not cycles: no flash wait states, no pipeline")
    w("  effects; a load costs the same as an add. The SysTick interrupt (1 kHz) runs inside")
    w("  the measured intervals: a 5-instruction handler every 7812.5 instructions, < 0.1 %.")
    w("  When code moves (another build), the tick's phase against a measured call moves")
    w("  too, so figures of two builds may differ by a handler or by rounding (a few")
    w("  instructions); for one build they are exact and repeatable.")
    w("- **Modes.** `native`: the workload's C function compiled by arm-none-eabi-gcc -O2")
    w("  -mcpu=cortex-m4 -mthumb, called through a pointer. `interp`: `mbpf_vm_run`.")
    w("  `jit`: `mbpf_jit_run` on the code generated into RAM on the device. `jit_compile`:")
    w("  `mbpf_jit_compile` of the loaded program. `load_verify`: `mbpf_image_load` (image")
    w("  parse and CRC-32, layout in the arena, map set-up, verification). The core in the")
    w("  benchmark firmware is compiled with -O2; flash figures are also given at -Os.")
    w("  Memory checks are on in both eBPF modes (they always are in microbpf).")
    w("- **Same source.** Each workload is one C file (bench/workloads/) compiled by clang")
    w("  -target bpf (`mbpf build`, -O2, ISA v3) and by gcc; `WL_HIDE` keeps both")
    w("  compilers from folding the work over constant input at compile time. The firmware")
    w("  checks that native, interpreter and JIT return the same 32-bit result.")
    w("- **Per program RAM** = loader arena used (code copy, .data/.bss, maps) + VM memory")
    w("  (stack frames sized from the image header, region table, call records) + JIT code")
    w("  + the JIT'd code's native stack.")
    w("")
    w("## Results (executed instructions)")
    w("")
    w("Core compiled with -O2 (columns marked -Os: the same firmware with the core at -Os;")
    w("native code is -O2 in both). `per eBPF insn` divides by the program's instruction count.")
    w("")
    w("| workload | eBPF insns | native | interp | interp/native | jit | jit/native | "
      "jit_compile | per eBPF insn | load_verify | per eBPF insn | interp/native -Os | "
      "jit/native -Os | jit_compile -Os per insn |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def n(v):
        return "-" if v is None else str(v)

    def per_insn(v, ins):
        return "-" if v is None or not ins else f"{v / ins:.0f}"

    def ratio_os(x, m):
        nat, v = run["os"].get((x, "native")), run["os"].get((x, m))
        return v / nat if nat and v is not None else None
    for x in order:
        s = sizes.get(x, {})
        ins = s.get("insns")
        c, lv = get(x, "jit_compile"), get(x, "load_verify")
        w(f"| {x} | {n(ins)} | {n(get(x, 'native'))} | {n(get(x, 'interp'))} | "
          f"{fmt_ratio(ratio(x, 'interp'))} | {n(get(x, 'jit'))} | {fmt_ratio(ratio(x, 'jit'))} | "
          f"{n(c)} | {'-' if c is None or not ins else f'{c / ins:.0f}'} | {n(lv)} | "
          f"{'-' if lv is None or not ins else f'{lv / ins:.0f}'} | "
          f"{fmt_ratio(ratio_os(x, 'interp'))} | {fmt_ratio(ratio_os(x, 'jit'))} | "
          f"{per_insn(run['os'].get((x, 'jit_compile')), ins)} |")
    w("")
    w("![Fletcher-16: instructions vs input size](bench/fletcher16.png)")
    w("")
    w("![Ratio to native per workload](bench/ratios.png)")
    w("")
    w("## Comparison with the published peer figures (Fletcher-16)")
    w("")
    w("The µBPF prototype figures are microseconds on an STM32F446 (180 MHz), ours are")
    w("instructions on an emulated Cortex-M4, so only ratios to native C compare.")
    w("")
    w("| bytes | native (insns) | interp/native | jit/native | FC interp/native | "
      "µBPF interp/native | µBPF JIT/native | our JIT compile in JIT runs | "
      "µBPF JIT compile in JIT runs |")
    w("|---|---|---|---|---|---|---|---|---|")
    for i, nb in enumerate(PEER_N):
        x = f"fletcher16_{nb}"
        pn = PEER["native"][i]
        c, j = get(x, "jit_compile"), get(x, "jit")
        w(f"| {nb} | {n(get(x, 'native'))} | {fmt_ratio(ratio(x, 'interp'))} | "
          f"{fmt_ratio(ratio(x, 'jit'))} | {PEER['fc_interp'][i] / pn:.1f}x | "
          f"{PEER['ubpf_interp'][i] / pn:.1f}x | {PEER['ubpf_jit'][i] / pn:.2f}x | "
          f"{'-' if c is None or not j else f'{c / j:.2f}'} | "
          f"{PEER['ubpf_compile'][i] / PEER['ubpf_jit'][i]:.1f} |")
    w("")
    a_, b_ = "fletcher16_1280", "fletcher16_2560"
    slopes = []
    for m in ("native", "interp", "jit"):
        x0, x1 = get(a_, m), get(b_, m)
        slopes.append("-" if x0 is None or x1 is None else f"{(x1 - x0) / 1280:.1f}")
    w("Marginal cost per input byte (from the 1280 and 2560 byte runs): native "
      f"{slopes[0]}, interpreter {slopes[1]}, JIT'd code {slopes[2]} instructions per byte. "
      "clang's inner loop is 8 eBPF instructions per byte (one `ldxb` from .rodata), "
      "gcc's about 6 Thumb-2 instructions.")
    w("")
    mc = run["micro"]
    if mc:
        w(f"For scale: one `mbpf_vm_check_mem` call (the core's memory check: stack, then "
          f"last-hit region, then binary search; the JIT's out-of-line check routine calls "
          f"it; the interpreter checks the stack and its cached last region inline) costs "
          f"{mc.get('check_mem_region', '-')} instructions for a byte of .rodata (a region "
          f"of the table) and {mc.get('check_mem_stack', '-')} for a byte of the stack, "
          "call included.")
        w("")
    w("µBPF's JIT'd code has no memory checks at all; microbpf's checks every access that")
    w("the JIT cannot prove safe. FC image at 640 B: 922 bytes; µBPF JIT output 792 bytes.")
    if f640 in sizes:
        s = sizes[f640]
        w(f"microbpf at 640 B: image {s['image']} bytes (of which {s['insns'] * 8} bytecode and "
          f"640 input data), JIT output "
          f"{jit[f640]['code'] if f640 in jit else '-'} bytes (code only; the input stays in "
          "the image; the JIT's shared runtime, "
          f"{run['micro'].get('jit_runtime', '-')} bytes once per device, is not counted).")
    w("")
    ic = run["insn_cost"]
    if ic:
        w("## Cost of single eBPF instructions")
        w("")
        w("Hand-built programs (bench/firmware/bench_insn.c): 16 copies of one instruction in a")
        w("loop of 64 iterations, minus the same loop without them, divided by the copies.")
        w("`div64_reg` is measured as a `mov r0, r7; div r0, r4` pair (so that the dividend")
        w("stays large) minus `mov64_reg`. Femto-Containers' published figures are CPU")
        w("cycles of its interpreter on an nRF52840 (Cortex-M4, 64 MHz), ours executed")
        w("instructions: the comparison is rough (a load or a taken branch takes more than")
        w("one cycle). `ldxb_region` loads through an unchanged pointer into a region of the")
        w("table (the context): a JIT that checks such a load once per loop shows ~1 here,")
        w("unlike Fletcher-16, whose pointer moves on every byte.")
        w("")
        w("| instruction | interpreter (insns) | JIT'd code (insns) | FC interpreter (cycles) |")
        w("|---|---|---|---|")
        fc = {"add64_reg": "~29 (add)", "ldxdw_stack": "~74 (ldxdw)", "div64_reg": "~132 (div)"}
        names = []
        for (k, _m) in ic:
            if k not in names:
                names.append(k)
        for k in names:
            vals = []
            for m in ("interp", "jit"):
                v = ic.get((k, m))
                if v is not None and k == "div64_reg+mov":
                    mv = ic.get(("mov64_reg", m))
                    v = None if mv is None else v * 2 - mv
                vals.append("-" if v is None else f"{v:.1f}")
            label = "div64_reg" if k == "div64_reg+mov" else k
            w(f"| {label} | {vals[0]} | {vals[1]} | {fc.get(label, '')} |")
        w("")
    w("## Program sizes and RAM per loaded program (bytes)")
    w("")
    w("| workload | eBPF insns | bytecode | image | JIT code | arena | VM (stack, regions, frames) | "
      "JIT native stack | total RAM |")
    w("|---|---|---|---|---|---|---|---|---|")
    for x in order:
        s, j = sizes.get(x), jit.get(x, {})
        if not s:
            continue
        tot = s["arena"] + s["vm"] + j.get("code", 0) + j.get("stack", 0)
        w(f"| {x} | {s['insns']} | {s['insns'] * 8} | {s['image']} | {n(j.get('code'))} | "
          f"{s['arena']} | {s['vm']} | {n(j.get('stack'))} | {tot} |")
    w("")
    w("## Flash and RAM per component (arm-none-eabi-size, bytes)")
    w("")
    w("Object sizes (text + data = flash, data + bss = RAM) of every object of the core")
    w("library, at -Os (as `make size-arm`) and at -O2 (as in the benchmark firmware), and")
    w("what the linked benchmark firmware really keeps of each after --gc-sections (from")
    w("its link map; functions nobody calls are dropped, e.g. parts of the loader).")
    w("")
    w("| component | flash -Os | flash -O2 | linked (-O2) | RAM |")
    w("|---|---|---|---|---|")
    for c in COMPONENT_ORDER:
        if c not in g_os and c not in g_o2:
            continue
        fo = g_os[c][0] + g_os[c][1] if c in g_os else None
        f2 = g_o2[c][0] + g_o2[c][1] if c in g_o2 else None
        ram = g_os[c][1] + g_os[c][2] if c in g_os else None
        lk = g_link[c][0] if c in g_link else None
        w(f"| {COMPONENT_TEXT[c]} | {n(fo)} | {n(f2)} | {n(lk)} | {n(ram)} |")
    w(f"| **loader + verifier + interpreter + VM core** | **{core_os}** | "
      f"**{sum(g_o2[c][0] + g_o2[c][1] for c in CORE_TARGET_PARTS if c in g_o2)}** | "
      f"{sum(g_link[c][0] for c in CORE_TARGET_PARTS if c in g_link)} | |")
    w("")
    fw = parse_size(os.path.join(out, "size-fw.txt"))
    for path, (t, d, b) in fw.items():
        w(f"Whole benchmark firmware (`{os.path.basename(path)}`): text {t}, data {d}, "
          f"bss {b} bytes (bss holds the benchmark's static pools: 16 KiB VM memory, "
          "16 KiB arena, 32 KiB JIT buffer, 16 KiB native stack).")
    w("")
    with open(os.path.join(root, "docs", "benchmarks.md"), "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    sys.exit(main())
