#!/usr/bin/python3
"""Runs a command and prints its wall time and the peak resident set of the process it ran, measured from
outside (getrusage of the children), in the form the other programs of the benchmark print:
`NAME s=SECONDS cpu_s=SECONDS cells=N cells_per_s=R peak_mib=P` (cpu_s: user + system CPU time). The command's own output goes to stderr.
Usage: measure.py NAME CELLS COMMAND [ARGS...]"""
import resource
import subprocess
import sys
import time

name, cells, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
start = time.perf_counter()
done = subprocess.run(command, stdout=sys.stderr)
seconds = time.perf_counter() - start
if done.returncode != 0:
    sys.exit(f"{name}: {' '.join(command)} failed with exit code {done.returncode}")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak_mib = usage.ru_maxrss / 1024  # KiB on Linux
print(f"{name} s={seconds:.3f} cpu_s={usage.ru_utime + usage.ru_stime:.3f} cells={cells} "
      f"cells_per_s={cells / seconds:.0f} peak_mib={peak_mib:.1f}")
