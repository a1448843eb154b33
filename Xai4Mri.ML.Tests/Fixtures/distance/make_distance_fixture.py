"""Reference squared Euclidean distances for DistanceTransformTests, by brute force in NumPy.

Each case is a boolean set on a small 3-D grid (C order) with anisotropic voxel spacing (mm); the expected value
at every voxel centre is the smallest squared distance (mm^2) to a voxel centre of the set, found by comparing
with every set voxel. Deterministic: two runs write byte-identical files.

    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/distance/make_distance_fixture.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def brute_force(mask, spacing):
    grid = np.stack(np.meshgrid(*[np.arange(n) * h for n, h in zip(mask.shape, spacing)], indexing="ij"), axis=-1)
    points = grid.reshape(-1, 3)
    targets = points[mask.reshape(-1)]
    d2 = ((points[:, None, :] - targets[None, :, :]) ** 2).sum(axis=-1).min(axis=1)
    return d2


def main():
    rng = np.random.RandomState(20261203)
    cases = []
    # Sparse random points on an anisotropic grid: the parabolas of many sites meet along every axis.
    mask = rng.random_sample((9, 11, 7)) < 0.04
    cases.append(("sparse_9x11x7", mask, (1.5, 3.0, 2.5)))
    # A solid ball: distances outside grow smoothly, the case the erosion and the reach use.
    i, j, k = np.meshgrid(np.arange(12), np.arange(10), np.arange(14), indexing="ij")
    ball = ((i - 5.5) * 2.0) ** 2 + ((j - 4.0) * 2.0) ** 2 + ((k - 7.0) * 1.0) ** 2 <= 36
    cases.append(("ball_12x10x14", ball, (2.0, 2.0, 1.0)))
    # One voxel in a corner: the far corner is the whole diagonal away.
    corner = np.zeros((5, 6, 4), dtype=bool)
    corner[0, 0, 0] = True
    cases.append(("corner_5x6x4", corner, (1.0, 1.0, 3.0)))
    out = []
    for name, m, spacing in cases:
        out.append({
            "name": name,
            "shape": list(m.shape),
            "spacing": list(spacing),
            "set": [int(v) for v in m.reshape(-1)],
            "squared": [float(v) for v in brute_force(m, spacing)],
        })
    with open(os.path.join(HERE, "distance_expected.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": out}, f)


if __name__ == "__main__":
    main()
