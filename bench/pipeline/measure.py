"""Runs a command and prints its wall time and CPU time (user + system, children included) as JSON.

The machine the benchmark runs on may be shared; CPU seconds are far less sensitive to
other load than wall seconds, so the benchmark reports both.
"""
import json
import resource
import subprocess
import sys
import time

started = time.perf_counter()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if completed.returncode != 0:
    sys.exit(f"command failed ({completed.returncode}): {' '.join(sys.argv[1:])}")
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}))
