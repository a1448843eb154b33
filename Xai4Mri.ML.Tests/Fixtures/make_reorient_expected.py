"""Reference reorientations computed with nibabel, for the Volumes tests.

For each input file and target orientation: nibabel's
    img.as_reoriented(ornt_transform(io_orientation(img.affine), axcodes2ornt(codes)))
and its data as float32 in C order (last axis fastest), hashed. Also NumPy percentiles for the intensity tests.
Run: /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/make_reorient_expected.py   (nibabel 5.0, numpy 1.24)
"""
import hashlib
import json
import os

import nibabel as nib
import numpy as np
from nibabel.orientations import axcodes2ornt, io_orientation, ornt_transform

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ["real/anatomical.nii", "real/aniso_vox.nii.gz", "nibabel/affine/qform_only_qfac-1_le.nii", "real/example4d.nii.gz"]
TARGETS = ["LIA", "RAS", "PSR", "ASL"]
out = {"generator": f"make_reorient_expected.py with nibabel {nib.__version__}, numpy {np.__version__}", "reorient": [], "percentiles": []}
for f in FILES:
    img = nib.load(os.path.join(HERE, f))
    for codes in TARGETS:
        t = ornt_transform(io_orientation(img.affine), axcodes2ornt(tuple(codes)))
        r = img.as_reoriented(t)
        data = np.asarray(r.get_fdata(dtype=np.float64)[..., 0] if len(r.shape) > 3 else r.get_fdata(dtype=np.float64))
        data = data.astype("<f4")
        out["reorient"].append({
            "file": f, "orientation": codes, "shape": [int(s) for s in data.shape],
            "affine": r.affine.tolist(), "axcodes": "".join(nib.aff2axcodes(r.affine)),
            "sha256_c_order": hashlib.sha256(np.ascontiguousarray(data).tobytes(order="C")).hexdigest(),
        })
rng = np.random.RandomState(7)
for n in [1, 2, 5, 1000]:
    values = rng.normal(100, 30, n).astype(np.float32)
    for q in [0.01, 50.0, 99.99, 100.0, 0.0]:
        out["percentiles"].append({"q": q, "values": values.tolist(),
                                   "percentile": float(np.percentile(values.astype(np.float64), q))})
with open(os.path.join(HERE, "reorient_expected.json"), "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
