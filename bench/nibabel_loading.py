"""The nibabel + NumPy equivalent of LoadNifti, timed: for every file, load, reorient to LIA, crop to the brain box,
centre it in the output box, clip at the 99.99th percentile of non-background voxels and scale to [0, 255] (uint8
rounding) - xai4mri's per-subject processing. Prints one JSON object with volumes/s.

Usage: /usr/bin/python3 bench/nibabel_loading.py D H W FILE [FILE ...]
"""
import json
import sys
import time

import nibabel as nib
import numpy as np
from nibabel.orientations import axcodes2ornt, io_orientation, ornt_transform

target = tuple(int(v) for v in sys.argv[1:4])
files = sys.argv[4:]


def conform(path):
    img = nib.load(path)
    img = img.as_reoriented(ornt_transform(io_orientation(img.affine), axcodes2ornt(("L", "I", "A"))))
    x = np.asarray(img.get_fdata(dtype=np.float32))
    nz = np.nonzero(x)
    lo = [a.min() for a in nz]
    hi = [a.max() + 1 for a in nz]
    box = x[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    out = np.zeros(target, dtype=np.float32)
    diff = (np.array(target) - np.array(box.shape)) // 2
    cut = [max(0, -d) for d in diff]
    off = [max(0, d) for d in diff]
    box = box[cut[0]:box.shape[0] - cut[0], cut[1]:box.shape[1] - cut[1], cut[2]:box.shape[2] - cut[2]]
    n = [min(box.shape[a], target[a] - off[a]) for a in range(3)]
    out[off[0]:off[0] + n[0], off[1]:off[1] + n[1], off[2]:off[2] + n[2]] = box[:n[0], :n[1], :n[2]]
    d = x[x != 0]
    hi_clip = np.percentile(d, 99.99)
    lo_clip = min(0.0, np.percentile(d, 0.01))
    out = np.clip(out, lo_clip, hi_clip)
    return np.round((out - lo_clip) / (hi_clip - lo_clip) * 255).astype(np.uint8)


conform(files[0])
t0 = time.perf_counter()
for f in files:
    conform(f)
elapsed = time.perf_counter() - t0
print(json.dumps({"nibabel": nib.__version__, "numpy": np.__version__, "volumes": len(files),
                  "seconds": elapsed, "volumes_per_second": len(files) / elapsed}))
