"""Reference for Transferability.Ridge: kernel ridge with the penalty chosen by inner 5-fold CV.

Provenance: features.csv holds the 64 penultimate-layer features (float32) and the age of 60 synthetic site-D
subjects (scenario (b) of docs/analysis-validation.md: bench/run-analysis.sh, pretrained-mrinet-bn.x4m), dumped once
from Transferability.Extract. This script is an independent NumPy implementation of the probe as docs/analysis.md
describes it; run with Debian's python3-numpy: /usr/bin/python3 make_ridge_fixture.py > ridge_expected.json
"""
import json
import numpy as np

SCALES = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]
data = np.loadtxt('features.csv', delimiter=',', dtype=np.float64)
X, y = data[:, :-1].astype(np.float32).astype(np.float64), data[:, -1].astype(np.float32).astype(np.float64)


def fit(rows):
    m = X[rows].mean(0)
    s = X[rows].std(0)
    s[s ** 2 <= 1e-24] = 1
    lo, hi = X[rows].min(0), X[rows].max(0)
    xt = (X[rows] - m) / s
    ym = y[rows].mean()
    g = xt @ xt.T
    scale = max(1e-12, np.trace(g) / len(rows))

    def predict(other, relative):
        a = np.linalg.solve(g + relative * scale * np.eye(len(rows)), y[rows] - ym)
        return ((np.clip(X[other], lo, hi) - m) / s) @ xt.T @ a + ym
    return predict


def ridge(fold, test):
    train = np.array([i for i in range(len(y)) if fold[i] != test and fold[i] >= 0])
    held = np.array([i for i in range(len(y)) if fold[i] == test])
    k = min(5, len(train))
    errors = np.zeros(len(SCALES))
    for inner in range(k):
        fit_rows = train[np.arange(len(train)) % k != inner]
        check = train[np.arange(len(train)) % k == inner]
        model = fit(fit_rows)
        for p, scale in enumerate(SCALES):
            errors[p] += np.abs(model(check, scale) - y[check]).sum()
    best = SCALES[int(np.argmin(errors))]
    return float(np.abs(fit(train)(held, best) - y[held]).mean()), best


n = len(y)
full = [i % 5 for i in range(n)]
# A learning-curve subset: every third row of the training folds left out (fold -1), held-out folds kept.
subset = [-1 if (i % 3 == 0 and i % 5 != 0) else i % 5 for i in range(n)]
out = {
    'full': [ridge(full, f)[0] for f in range(5)],
    'full_penalty': [ridge(full, f)[1] for f in range(5)],
    'subset_fold0': ridge(subset, 0)[0],
}
print(json.dumps(out, indent=1))
