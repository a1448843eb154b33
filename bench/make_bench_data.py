"""Write the reading-benchmark inputs: brain-like 182x218x182 volumes (MNI 1 mm grid) as float32 and int16 .nii.gz.

Deterministic (fixed seed). nibabel writes gzip level 1, as it does for users. Usage:
    /usr/bin/python3 bench/make_bench_data.py bench/data
"""
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(42)
shape = (182, 218, 182)
x, y, z = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
# Head: ellipsoid with a skull-stripped brain (zero background), grey/white contrast from a smooth radial profile,
# ventricles as two low-intensity ellipsoids, and scanner noise inside the brain only.
r = np.sqrt((x / 0.78) ** 2 + (y / 0.85) ** 2 + (z / 0.80) ** 2)
brain = r < 1.0
tissue = np.where(r < 0.75, 110.0, 70.0) + 20 * np.sin(9 * x) * np.cos(7 * y) * np.sin(5 * z)
ventricles = ((x - 0.1) / 0.08) ** 2 + (y / 0.3) ** 2 + (z / 0.12) ** 2 < 1
ventricles |= ((x + 0.1) / 0.08) ** 2 + (y / 0.3) ** 2 + (z / 0.12) ** 2 < 1
tissue[ventricles] = 30.0
vol = np.where(brain, tissue + rng.normal(0, 6, shape), 0.0)
vol = np.clip(vol, 0, None)
affine = np.array([[-1, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]], dtype=float)
nib.save(nib.Nifti1Image(vol.astype(np.float32), affine), os.path.join(out, "brain_float32.nii.gz"))
img16 = nib.Nifti1Image(np.round(vol * 8).astype(np.int16), affine)
img16.header.set_slope_inter(1, 0)
nib.save(img16, os.path.join(out, "brain_int16.nii.gz"))
print("wrote", out)
