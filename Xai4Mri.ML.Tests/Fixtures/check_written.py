"""Read the files our NiftiWriter produced (Fixtures/written/) with nibabel and record what nibabel sees.

Regenerate (only when the writer's output changes on purpose):
    mkdir -p Xai4Mri.ML.Tests/Fixtures/written
    XAI4MRI_REGENERATE_WRITTEN_FIXTURES=$PWD/Xai4Mri.ML.Tests/Fixtures/written \
        dotnet test --filter NibabelReadsWhatWeWrite      # copies the writer's output there (tests fail until done)
    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/check_written.py
Uses Debian's python3-nibabel (5.0) and python3-numpy.
"""
import hashlib
import json
import os

import nibabel as nib
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "written")
NAMES = ["float32_oblique.nii", "int16_scaled.nii.gz", "uint8_las.nii"]

out = {"generator": f"check_written.py with nibabel {nib.__version__}, numpy {np.__version__}"}
for name in NAMES:
    img = nib.load(os.path.join(HERE, name))
    hdr = img.header
    data = img.get_fdata(dtype=np.float64)
    out[name] = {
        "shape": [int(d) for d in img.shape],
        "zooms": [float(z) for z in hdr.get_zooms()],
        "affine": img.affine.tolist(),
        "qform": hdr.get_qform().tolist(),
        "sform": hdr.get_sform().tolist(),
        "qform_code": int(hdr["qform_code"]),
        "sform_code": int(hdr["sform_code"]),
        "axcodes": "".join(nib.aff2axcodes(img.affine)),
        "datatype": np.dtype(img.get_data_dtype()).name,
        "descrip": hdr["descrip"].item().decode("latin-1"),
        "sha256_f32": hashlib.sha256(data.astype("<f4").tobytes(order="F")).hexdigest(),
    }
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
