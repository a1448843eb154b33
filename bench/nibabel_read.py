"""Time nibabel reading: median of load().get_fdata(dtype=float32) over repetitions. Prints one JSON object.
Usage: /usr/bin/python3 bench/nibabel_read.py REPS FILE [FILE ...]
"""
import json
import statistics
import sys
import time

import nibabel as nib
import numpy as np

reps = int(sys.argv[1])
result = {"nibabel": nib.__version__, "numpy": np.__version__, "files": {}}
for path in sys.argv[2:]:
    nib.load(path).get_fdata(dtype=np.float32)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        nib.load(path).get_fdata(dtype=np.float32)
        times.append(time.perf_counter() - t0)
    result["files"][path] = {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000}
print(json.dumps(result))
