#!/usr/bin/python3
"""Downsample four public real head/brain scans into small test fixtures (see PROVENANCE.md beside this file).

Usage (from the repository root, with the four source files in SOURCE_DIR under their original names):
    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/realheads/make_realheads.py SOURCE_DIR

Each source is checked against its sha256, block-averaged by whole-voxel factors (the affine scaled and shifted
so that every new voxel centre is the centre of its block), and written with nibabel (gzip mtime 0: the output is
byte-identical from run to run). Voxels of an incomplete last block along an axis are dropped.
"""
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# name in SOURCE_DIR, sha256 of the source, output name, block factors, output dtype, scale slope
SOURCES = [
    ("ch2.nii.gz", "a009051127f64dc3dd554d5f5b589870ea72106d9642c21b4e7093e478cfc309",
     "ch2_t1w_head_3mm.nii.gz", (3, 3, 3), np.uint8, 1.0),
    ("ch2bet.nii.gz", "592a2d20abdf36eefcb540ca8958428040edffc1bc1a18ba1dcfbabac77c5dd1",
     "ch2bet_t1w_brain_3mm.nii.gz", (3, 3, 3), np.uint8, 1.0),
    ("T2w.nii.gz", "8bc1a6a80ace94de3cedcac62edd805effc81caa7eaf31ac61bd5c2f0dea1dc1",
     "clinical_t2w_head_2x2x4mm.nii.gz", (2, 2, 2), np.uint8, 8.0),
    ("M2208_T2w.nii.gz", "2cd74ab7467982dd48c8d60fb5ffb01254978bc16a8f5f056512c3f517b3629d",
     "stroke_t2w_brain_3mm.nii.gz", (3, 3, 3), np.int16, 0.25),
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def block_mean(data, factors):
    shape = [s // f for s, f in zip(data.shape, factors)]
    cropped = data[: shape[0] * factors[0], : shape[1] * factors[1], : shape[2] * factors[2]]
    blocks = cropped.reshape(shape[0], factors[0], shape[1], factors[1], shape[2], factors[2])
    return blocks.mean(axis=(1, 3, 5))


def main(source_dir):
    summary = {}
    for name, digest, out_name, factors, dtype, slope in SOURCES:
        path = os.path.join(source_dir, name)
        actual = sha256(path)
        if actual != digest:
            raise SystemExit(f"{path}: sha256 {actual} is not the recorded {digest}")
        image = nib.load(path)
        data = np.asarray(image.dataobj, dtype=np.float64)
        small = block_mean(data, factors)
        scale = np.diag(list(factors) + [1.0])
        # The new voxel 0 is the centre of the old voxels 0..f-1: (f - 1) / 2 old voxels along each axis.
        shift = np.eye(4)
        shift[:3, 3] = [(f - 1) / 2.0 for f in factors]
        affine = image.affine @ shift @ scale
        raw = np.clip(np.round(small / slope), np.iinfo(dtype).min, np.iinfo(dtype).max).astype(dtype)
        out = nib.Nifti1Image(raw, affine)
        out.header.set_xyzt_units("mm", "sec")
        out.header.set_slope_inter(slope, 0.0)
        out.header["descrip"] = b"xai4mri realheads fixture"
        target = os.path.join(HERE, out_name)
        nib.save(out, target)
        reread = nib.load(target)
        values = np.asarray(reread.dataobj, dtype=np.float64)
        summary[out_name] = {
            "source": name,
            "source_sha256": digest,
            "shape": list(reread.shape),
            "zooms": [float(z) for z in reread.header.get_zooms()],
            "axcodes": "".join(nib.aff2axcodes(reread.affine)),
            "dtype": str(reread.get_data_dtype()),
            "slope": float(slope),
            "nonzero_ml": float(np.count_nonzero(values) * np.prod(reread.header.get_zooms()) / 1000.0),
            "bytes": os.path.getsize(target),
            "sha256": sha256(target),
        }
    with open(os.path.join(HERE, "realheads.json"), "w") as f:
        json.dump({"nibabel": nib.__version__, "numpy": np.__version__, "files": summary}, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
