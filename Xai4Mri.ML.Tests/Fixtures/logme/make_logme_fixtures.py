#!/usr/bin/python3
"""Reference LogME values for Xai4Mri.ML.Tests/Analysis/LogMeTests.cs.

Written from the formulas of You et al., "LogME: Practical Assessment of Pre-trained Models for
Transfer Learning" (ICML 2021), with the fixed-point schedule of the authors' reference code
(thuml/LogME): start at alpha = beta = 1, add 1e-5 to the denominators of the alpha and beta
updates, stop when t = alpha / beta changes by at most 1e-3 relative or after 11 updates, and
evaluate the evidence with the last alpha, beta and the posterior mean computed before that
last update. log|A| runs over all D eigenvalues of A (thuml/LogME issue #23).

Deliberately unlike the C# code: no eigendecomposition. Every quantity comes from the D x D
matrices themselves (np.linalg.solve, trace of an inverse, slogdet), so the C# eigen-space
shortcuts and the null-space padding are checked against plain linear algebra.

Run from the repository root with /usr/bin/python3 (numpy, float64). Output is deterministic.
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "logme_expected.json")
EPSILON = 1e-5


def evidence(f, y):
    """LogME of one target vector y (N) on features f (N x D): log p(y | F, alpha, beta) / N."""
    n, d = f.shape
    g = f.T @ f
    fty = f.T @ y
    eye = np.eye(d)
    alpha, beta = 1.0, 1.0
    for _ in range(11):
        t = alpha / beta
        # Posterior mean m = beta A^-1 F^T y with A = alpha I + beta F^T F, i.e. (F^T F + t I)^-1 F^T y.
        m = np.linalg.solve(g + t * eye, fty)
        # Effective number of parameters: sum beta s / (alpha + beta s) = D - t tr((F^T F + t I)^-1).
        gamma = d - t * np.trace(np.linalg.inv(g + t * eye))
        m2 = float(m @ m)
        res2 = float(np.sum((y - f @ m) ** 2))
        alpha = gamma / (m2 + EPSILON)
        beta = (n - gamma) / (res2 + EPSILON)
        if abs(alpha / beta - t) / t <= 1e-3:
            break
    sign, logdet = np.linalg.slogdet(alpha * eye + beta * g)
    assert sign > 0
    value = (d / 2.0 * math.log(alpha) + n / 2.0 * math.log(beta) - 0.5 * logdet
             - beta / 2.0 * res2 - alpha / 2.0 * m2 - n / 2.0 * math.log(2 * math.pi))
    return value / n


def classification(f, labels, class_count):
    return float(np.mean([evidence(f, (labels == k).astype(np.float64)) for k in range(class_count)]))


def cases():
    rng = np.random.RandomState(20251126)
    out = []

    def add_regression(name, f, y):
        out.append({"name": name, "kind": "regression", "features": f.tolist(), "targets": y.tolist(),
                    "expected": evidence(f, y)})

    # N > D with a linear signal; the same targets on pure-noise features of the same shape.
    f = rng.randn(40, 8)
    y = f @ rng.randn(8) + 0.3 * rng.randn(40)
    add_regression("regression_signal_40x8", f, y)
    add_regression("regression_noise_features_40x8", rng.randn(40, 8), y)

    # Neither features nor targets carry information about each other.
    add_regression("regression_noise_60x16", rng.randn(60, 16), rng.randn(60))

    # D > N: F^T F has D - N zero eigenvalues.
    f = rng.randn(30, 50)
    add_regression("regression_wide_30x50", f, f @ (0.2 * rng.randn(50)) + 0.5 * rng.randn(30))

    # N > D but rank 5 of 8: three columns are combinations of the others.
    base = rng.randn(40, 5)
    f = np.hstack([base, base[:, :3] @ rng.randn(3, 3)])
    add_regression("regression_rank5_40x8", f, base @ rng.randn(5) + 0.5 * rng.randn(40))

    # Three classes of 15, class means apart in feature space, shuffled.
    labels = rng.permutation(np.repeat(np.arange(3), 15))
    means = 1.5 * rng.randn(3, 10)
    f = means[labels] + rng.randn(45, 10)
    out.append({"name": "classification_3class_45x10", "kind": "classification", "features": f.tolist(),
                "labels": labels.tolist(), "class_count": 3, "expected": classification(f, labels, 3)})
    return out


def main():
    doc = {
        "generator": "Xai4Mri.ML.Tests/Fixtures/logme/make_logme_fixtures.py",
        "numpy_version": np.__version__,
        "cases": cases(),
    }
    with open(OUT, "w", encoding="utf-8") as fh:
        # json writes floats with repr, the shortest string that round-trips the double.
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    for c in doc["cases"]:
        print(f"{c['name']:34s} {c['expected']!r}")


if __name__ == "__main__":
    sys.exit(main())
