"""Memory and time of a reversible stack against ordinary backprop (and checkpointing), exam IV(E).

A stack of L additive coupling blocks (width d = 256, d1 = d2 = 128, MLPs with 256 hidden
units), a batch of B = 256, float32, for L in {4, 16, 64, 256}:

- saved: the activation bytes autograd keeps for backward after one forward pass
  (``reversible.saved_memory``; the weights a Linear layer keeps a reference to are reported
  apart, since they are in memory anyway);
- peak RSS: the high-water mark of a fresh child process that builds the stack and runs one
  forward + backward; and the step's own peak above the RSS it started from (the mark is
  reset after building), which includes the parameters' gradients. The child reads its
  ``VmHWM`` from /proc (Linux): its ``ru_maxrss`` would be at least the parent's RSS at the
  time of the fork, since Linux carries the high-water mark across exec. The child runs with
  glibc's ``MALLOC_MMAP_THRESHOLD_=65536``, so that freed tensors leave the RSS. The whole-life
  peak of a reversible child includes about 35 MB of code (sympy) that torch loads at the first
  ``torch.autograd.grad`` with explicit output gradients, in the warm-up step;
- time: median of several forward + backward passes in this process, on 2 threads, the modes
  taking turns (``reversible.step_times``).

The last line sums it up. Run it on a quiet machine: other processes slow the timings down.

    python benchmarks/reversible_memory.py [--repeats N] [--depths 4 16 64 256]
"""

import argparse
import json
import os
import re
import subprocess
import sys

import torch

from dlexam import reversible

D = B = 256
HIDDEN = 256
SEED = 0


def build(depth, mode):
    """The benchmark's stack of ``depth`` blocks in ``mode`` and its (B, d) float32 input."""
    generator = torch.Generator().manual_seed(SEED)
    blocks = reversible.coupling_blocks(depth, D, HIDDEN, generator, dtype=torch.float32)
    x = torch.randn(B, D, generator=generator)
    return reversible.ReversibleStack(blocks, mode), x


def _vm(key):
    """A memory figure of this process from /proc/self/status, in KiB."""
    with open("/proc/self/status") as status:
        return int(re.search(rf"{key}:\s+(\d+) kB", status.read()).group(1))


def child(depth, mode):
    """In a fresh process: warm up, build, then one forward + backward; print peak RSS and the step's own peak (KiB)."""
    torch.set_num_threads(2)
    # First calls load code and allocate the runtime's own buffers (the reversible backward's first
    # torch.autograd.grad with grad_outputs imports sympy, about 35 MB): not the step's memory.
    warm, xw = build(1, mode)
    reversible.mean_square_loss(warm(xw.requires_grad_(True))).backward()
    del warm, xw
    stack, x = build(depth, mode)
    x.requires_grad_(True)
    built_peak = _vm("VmHWM")
    try:  # Linux: reset the high-water mark, so that VmHWM below is the step's own peak
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        start = _vm("VmRSS")
    except OSError:
        start = None
    reversible.mean_square_loss(stack(x)).backward()
    step_peak = _vm("VmHWM")
    print(json.dumps({"peak_kib": max(built_peak, step_peak),
                      "step_kib": None if start is None else step_peak - start}))


def peak_rss(depth, mode):
    """(peak RSS of the child, how far the step rose above the RSS it started from) in MiB (None: not measurable)."""
    # glibc keeps freed memory for reuse, so RSS would also count freed, fragmented blocks; with a
    # fixed mmap threshold every tensor of 64 KiB or more is mapped on its own and returned when freed.
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, __file__, "--child", str(depth), mode],
                         check=True, capture_output=True, text=True, env=env).stdout
    result = json.loads(out.strip().splitlines()[-1])
    step = None if result["step_kib"] is None else result["step_kib"] / 1024
    return result["peak_kib"] / 1024, step


def _mib(value):
    return "n/a" if value is None else f"{value:.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per stack (median)")
    parser.add_argument("--depths", type=int, nargs="+", default=[4, 16, 64, 256])
    parser.add_argument("--child", nargs=2, metavar=("DEPTH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    torch.set_num_threads(2)
    mib = 2**20
    print(f"d = B = {D}, hidden = {HIDDEN}, float32, threads = {torch.get_num_threads()}, "
          f"median of {args.repeats} forward + backward passes")
    header = (f"{'L':>4} | {'saved MiB: ordinary':>19} {'checkpoint':>10} {'reversible':>10} | "
              f"{'weights referenced':>18} | {'peak RSS MiB: ordinary':>22} {'reversible':>10} | "
              f"{'step peak: ordinary':>20} {'reversible':>10} | {'time s: ordinary':>16} {'checkpoint':>10} "
              f"{'reversible':>10} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    rows = {}
    for depth in args.depths:
        stack, x = build(depth, "store")
        stacks = {mode: reversible.ReversibleStack(stack.blocks, mode) for mode in reversible.MODES}
        saved = {m: reversible.saved_memory(s, x) for m, s in stacks.items()}
        seconds = reversible.step_times(stacks, x, args.repeats)  # interleaved: load changes hit all alike
        rss = {m: peak_rss(depth, m) for m in ("store", "reversible")}
        rows[depth] = (saved, seconds)
        print(f"{depth:>4} | {saved['store'].activations / mib:>19.2f} {saved['checkpoint'].activations / mib:>10.2f} "
              f"{saved['reversible'].activations / mib:>10.2f} | {saved['store'].parameters / mib:>18.2f} | "
              f"{rss['store'][0]:>22.0f} {rss['reversible'][0]:>10.0f} | {_mib(rss['store'][1]):>20} "
              f"{_mib(rss['reversible'][1]):>10} | {seconds['store']:>16.3f} {seconds['checkpoint']:>10.3f} "
              f"{seconds['reversible']:>10.3f} {seconds['reversible'] / seconds['store']:>5.2f}x", flush=True)
    first, last = min(rows), max(rows)
    rev = [rows[L][0]["reversible"].activations / mib for L in (first, last)]
    ordinary = [rows[L][0]["store"].activations / mib for L in (first, last)]
    ratio = rows[last][1]["reversible"] / rows[last][1]["store"]
    print(f"targets: reversible saved bytes at L={last} within 1.1x of L={first}: {rev[1] <= 1.1 * rev[0]}; "
          f"reversible time at most 1.4x ordinary at L={last}: {ratio <= 1.4}")
    print(f"reversible: {rev[0]:.2f} MiB at L={first}, {rev[1]:.2f} MiB at L={last} | "
          f"ordinary: {ordinary[0]:.2f} MiB at L={first}, {ordinary[1]:.2f} MiB at L={last} | time: {ratio:.2f}x")


if __name__ == "__main__":
    main()
