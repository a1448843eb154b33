#!/usr/bin/python3
"""Reference PCA embeddings for Xai4Mri.ML.Tests/Analysis/PcaTests.cs (Xai4Mri.ML/Analysis/Pca.cs).

Provenance: written for this repository; run with Debian's /usr/bin/python3 (python3-numpy, float64). The inputs
are synthetic: drawn from numpy.random.RandomState(20251203) and rounded to float32 (the C# code takes float32
feature rows, so both sides start from the same numbers), except "wide_60x1430", whose features come from an
integer formula (wide_feature below) that the C# test recomputes exactly instead of reading 85,800 numbers.

The reference is the textbook computation, deliberately without the C# code's QR reduction: drop the columns whose
values are all equal (np.ptp == 0), standardise with the population standard deviation (ddof = 0), take
np.linalg.svd(X, full_matrices=False) of the whole centred matrix, make the largest-magnitude entry of each right
singular vector positive (first one on ties, np.argmax), project X on the first two, and report s_i^2 / sum(s^2).
A missing second component (one informative feature) is all zeros with ratio 0.

Run from the repository root:

    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/pca/make_pca_fixture.py

It writes pca_expected.json beside itself; two runs write byte-identical files.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "pca_expected.json")


def wide_feature(i, j):
    """Feature j of subject i of the wide case: a rank-2 signal plus integer noise, exact in float32.

    Every intermediate is an integer below 2**31 and the result a multiple of 1/8 below 2**12, so C# computes the
    same float32 values with int arithmetic.
    """
    a = (i * 37 + 11) % 23 - 11          # subject factor 1
    b = (i * 53 + 5) % 17 - 8            # subject factor 2
    u = (j * 29 + 3) % 13 - 6            # feature loading 1
    w = (j * 41 + 7) % 11 - 5            # feature loading 2
    noise = (i * 7919 + j * 104729 + i * j * 31) % 61 - 30
    return (a * u + b * w + noise) / 8.0


def pca(f):
    f = np.asarray(f, dtype=np.float64)
    n = f.shape[0]
    keep = np.ptp(f, axis=0) > 0
    x = f[:, keep]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    coords, ratios = [], []
    for c in range(2):
        if c >= len(s):
            coords.append(np.zeros(n))
            ratios.append(0.0)
            continue
        v = vt[c]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        coords.append(x @ v)
        ratios.append(float(s[c] ** 2 / np.sum(s ** 2)))
    return coords, ratios, int(keep.sum())


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def cases():
    rng = np.random.RandomState(20251203)
    out = []

    def add(name, f, labels, class_names=None, store_features=True):
        coords, ratios, kept = pca(f)
        case = {"name": name, "rows": int(f.shape[0]), "columns": int(f.shape[1]), "kept_columns": kept}
        if store_features:
            case["features"] = f.tolist()
        case["labels"] = [float(v) for v in labels]
        case["class_names"] = class_names
        case["expected_x"] = coords[0].tolist()
        case["expected_y"] = coords[1].tolist()
        case["expected_ratio"] = ratios
        out.append(case)

    # N > D: two latent factors on columns of very different scales, plus one constant column.
    latent = rng.randn(40, 2)
    f = latent @ rng.randn(2, 6) + 0.3 * rng.randn(40, 6)
    f *= np.array([1.0, 10.0, 0.01, 1000.0, 3.0, 0.5])
    f = np.hstack([f, np.full((40, 1), 7.25)])
    add("tall_40x7_one_constant", f32(f), f32(50 + 10 * latent[:, 0]))

    # D > N, stored: 12 subjects, 50 features.
    f = rng.randn(12, 3) @ rng.randn(3, 50) + 0.5 * rng.randn(12, 50)
    add("wide_12x50", f32(f), f32(rng.uniform(20, 80, 12)))

    # Three classes apart in feature space; labels are class indices.
    labels = rng.permutation(np.repeat(np.arange(3), 10))
    f = 2.0 * rng.randn(3, 8)[labels] + rng.randn(30, 8)
    add("classes_30x8", f32(f), labels.astype(np.float64), ["control", "patient", "other"])

    # The smallest N: three subjects, five features (the centred matrix has rank 2).
    add("smallest_3x5", f32(rng.randn(3, 5)), [1.0, 2.0, 3.0])

    # One informative feature among constants: the second coordinate is all zeros.
    f = np.zeros((10, 4))
    f[:, 0] = 1.5
    f[:, 2] = rng.randn(10)
    f[:, 3] = -2.0
    add("one_informative_10x4", f32(f), f32(rng.randn(10)))

    # The report's shape: 60 subjects x 1,430 features, recomputed in C# from wide_feature.
    f = np.array([[wide_feature(i, j) for j in range(1430)] for i in range(60)])
    assert np.array_equal(f, f32(f))
    add("wide_60x1430", f, [float(i % 2) for i in range(60)], ["a", "b"], store_features=False)
    return out


def main():
    doc = {
        "generator": "Xai4Mri.ML.Tests/Fixtures/pca/make_pca_fixture.py",
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "cases": cases(),
    }
    with open(OUT, "w", encoding="utf-8") as fh:
        # json writes floats with repr, the shortest string that round-trips the double.
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    for c in doc["cases"]:
        print(f"{c['name']:26s} kept {c['kept_columns']:5d}  ratios {c['expected_ratio']}")


if __name__ == "__main__":
    sys.exit(main())
