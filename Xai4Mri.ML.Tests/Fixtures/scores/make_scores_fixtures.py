#!/usr/bin/python3
"""Reference values for the transferability scores and validation statistics (Xai4Mri.ML.Tests/Analysis/*ScoreTests.cs).

Every value is computed from the published definitions with plain NumPy / SciPy, deliberately unlike the C# code:

* H-score (Bao et al., ICIP 2019) with Ledoit-Wolf shrinkage (the regularised H-score of Ibrahim et al., 2022):
  the D x D covariances themselves, the Ledoit-Wolf coefficient from its per-sample definition (Ledoit & Wolf 2004,
  a loop over samples), and np.linalg.pinv (rcond 1e-10). The C# code works in the N x N Gram space instead.
* LEEP (Nguyen et al., ICML 2020): the empirical joint P(y, z), P(y | z), and the mean log of the expected
  empirical prediction, with explicit loops over classes.
* NCE (Tran et al., ICCV 2019): the negative conditional entropy -H(Y | Z) from the joint counts.
* Source distributions of an age regressor (our adaptation): Gaussian bin masses from scipy.stats.norm.
* Spearman's rho and Kendall's tau-b: scipy.stats.spearmanr / kendalltau on inputs with ties; their one-sided exact
  permutation p-values with scipy.stats.permutation_test (pairings).
* Regret, the reliability table, the Brier score and the expected calibration error: NumPy, from the formulas.

Run from the repository root with /usr/bin/python3 (numpy 1.24, scipy 1.10, float64). Deterministic: two runs
write byte-identical files.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scores_expected.json")


# ---------------------------------------------------------------- H-score

def ledoit_wolf_shrinkage(x):
    """Ledoit & Wolf (2004) shrinkage towards mu I, from its definition: x is N x D, centred here."""
    n, d = x.shape
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n
    mu = np.trace(s) / d
    delta2 = np.sum((s - mu * np.eye(d)) ** 2) / d
    b2 = 0.0
    for k in range(n):
        b2 += np.sum((np.outer(xc[k], xc[k]) - s) ** 2) / d
    b2 /= n * n
    b2 = min(b2, delta2)
    return 0.0 if b2 == 0 else b2 / delta2


def h_score(x, labels, class_count, shrinkage=None):
    """tr(cov_alpha(f)^-1 (1 - alpha) cov(E[f | y])), covariances with divisor N."""
    n, d = x.shape
    alpha = ledoit_wolf_shrinkage(x) if shrinkage is None else shrinkage
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n
    mu = np.trace(s) / d
    shrunk = (1 - alpha) * s + alpha * mu * np.eye(d)
    between = np.zeros((d, d))
    for k in range(class_count):
        rows = xc[labels == k]
        m = rows.mean(axis=0)
        between += len(rows) / n * np.outer(m, m)
    return float(np.trace(np.linalg.pinv(shrunk, rcond=1e-10) @ ((1 - alpha) * between))), float(alpha)


def quantile_bins(y, bins):
    """Equal-count bins: edges at the k/bins quantiles (linear interpolation), a value on an edge goes up, empty bins dropped."""
    edges = np.quantile(y, [k / bins for k in range(1, bins)])
    raw = np.searchsorted(edges, y, side="right")
    _, compact = np.unique(raw, return_inverse=True)
    return compact.astype(int)


# ---------------------------------------------------------------- LEEP, NCE, regression source

def leep(theta, labels, class_count):
    n, z = theta.shape
    joint = np.zeros((class_count, z))
    for i in range(n):
        joint[labels[i]] += theta[i] / n
    marginal = joint.sum(axis=0)
    conditional = np.zeros_like(joint)
    for j in range(z):
        if marginal[j] > 0:
            conditional[:, j] = joint[:, j] / marginal[j]
    total = 0.0
    for i in range(n):
        total += math.log(sum(conditional[labels[i], j] * theta[i, j] for j in range(z)))
    return total / n


def nce(source, source_count, labels, class_count):
    n = len(labels)
    joint = np.zeros((class_count, source_count))
    for i in range(n):
        joint[labels[i], source[i]] += 1.0 / n
    marginal = joint.sum(axis=0)
    value = 0.0
    for y in range(class_count):
        for z in range(source_count):
            if joint[y, z] > 0:
                value += joint[y, z] * math.log(joint[y, z] / marginal[z])
    return value


def equal_width_edges(low, high, bins):
    return [low + k * (high - low) / bins for k in range(1, bins)]


def hard_bins(pred, edges):
    return np.searchsorted(np.asarray(edges), pred, side="right").astype(int)


def soft_bins(pred, edges, mae):
    sd = mae * math.sqrt(math.pi / 2)
    bounds = np.concatenate([[-np.inf], edges, [np.inf]])
    out = np.zeros((len(pred), len(bounds) - 1))
    for i, p in enumerate(pred):
        for k in range(len(bounds) - 1):
            lo, hi = (bounds[k] - p) / sd, (bounds[k + 1] - p) / sd
            # Upper-tail differences above the mean keep the relative precision of tiny masses.
            out[i, k] = stats.norm.sf(lo) - stats.norm.sf(hi) if lo > 0 else stats.norm.cdf(hi) - stats.norm.cdf(lo)
    return out


# ---------------------------------------------------------------- regret, calibration

def skill(score, chance, lower_is_better):
    """docs/analysis.md: 1 - score/chance for MAE, (score - chance)/(1 - chance) for balanced accuracy."""
    return 1 - score / chance if lower_is_better else (score - chance) / (1 - chance)


def regret(recommended, best, chance, lower_is_better):
    raw = recommended - best if lower_is_better else best - recommended
    gap = chance - best if lower_is_better else best - chance
    # In skill units: the difference of the two skills.
    return raw, (raw / gap if gap > 0 else None), skill(best, chance, lower_is_better) - skill(recommended, chance, lower_is_better)


def reliability(conf, right, bins, edges=None):
    conf = np.asarray(conf, dtype=float)
    right = np.asarray(right, dtype=float)
    # [e_k, e_k+1) except the last bin, which is closed; equal-width edges as k/B (np.linspace would give
    # 0.6000000000000001 for 3/5).
    edges = np.array([0.0] + ([k / bins for k in range(1, bins)] if edges is None else list(edges)) + [1.0])
    bins = len(edges) - 1
    index = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        mean_conf = float(conf[mask].mean()) if count else None
        frac = float(right[mask].mean()) if count else None
        if count:
            ece += count / len(conf) * abs(frac - mean_conf)
        table.append({"lower": float(edges[b]), "upper": float(edges[b + 1]), "count": count,
                      "mean_confidence": mean_conf, "fraction_right": frac})
    brier = float(np.mean((conf - right) ** 2))
    return table, brier, float(ece)


# ---------------------------------------------------------------- cases

def main():
    rng = np.random.RandomState(20261203)
    doc = {
        "generator": "Xai4Mri.ML.Tests/Fixtures/scores/make_scores_fixtures.py",
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
    }

    h = []

    def add_h(name, x, labels, class_count, shrinkage=None):
        value, alpha = h_score(x, labels, class_count, shrinkage)
        h.append({"name": name, "features": x.tolist(), "labels": labels.tolist(), "class_count": class_count,
                  "shrinkage": shrinkage, "expected_shrinkage": alpha, "expected": value})

    # The report's shape: 40 subjects, 64 penultimate features, 3 classes with separated means.
    labels = rng.permutation(np.repeat(np.arange(3), [14, 13, 13]))
    x = 0.8 * rng.randn(3, 64)[labels] + rng.randn(40, 64)
    add_h("hscore_3class_40x64", x, labels, 3)
    # The same labels on pure noise of the same shape (the score's no-signal level).
    add_h("hscore_noise_40x64", rng.randn(40, 64), labels, 3)
    # Degenerate: class 2 has one member and two feature columns are constant.
    labels = np.array([0] * 15 + [1] * 14 + [2])
    rng.shuffle(labels)
    x = rng.randn(30, 10) + 0.7 * rng.randn(3, 10)[labels]
    x[:, 3] = 2.5
    x[:, 7] = 0.0
    add_h("hscore_degenerate_30x10", x, labels, 3)
    # N > D, correlated features, 2 classes.
    labels = rng.permutation(np.repeat(np.arange(2), 100))
    x = rng.randn(200, 8) @ rng.randn(8, 8) + 0.5 * np.outer(labels, rng.randn(8))
    add_h("hscore_tall_200x8", x, labels, 2)
    # Bao et al.'s original H-score (no shrinkage; pseudo-inverse), N > D and D > N.
    add_h("hscore_unshrunk_200x8", x, labels, 2, shrinkage=0.0)
    labels = rng.permutation(np.repeat(np.arange(3), 10))
    x = rng.randn(30, 50) + rng.randn(3, 50)[labels]
    add_h("hscore_unshrunk_wide_30x50", x, labels, 3, shrinkage=0.0)
    add_h("hscore_fixed_shrinkage_30x50", x, labels, 3, shrinkage=0.3)
    doc["hscore"] = h

    # Regression through quantile bins: ages with ties, features that follow age.
    ages = np.round(rng.uniform(20, 80, 60))
    ages[:6] = 50.0
    x = np.outer((ages - 50) / 15, rng.randn(16)) + rng.randn(60, 16)
    bins = quantile_bins(ages, 5)
    value, alpha = h_score(x, bins, int(bins.max()) + 1)
    doc["hscore_regression"] = [{"name": "hscore_regression_60x16_5bins", "features": x.tolist(), "targets": ages.tolist(),
                                 "bins": 5, "expected_bins": bins.tolist(), "expected_shrinkage": alpha, "expected": value}]
    ties = np.array([1, 1, 1, 1, 2, 2, 3, 4, 5, 5, 5, 5, 5, 6, 7, 8], dtype=float)
    doc["quantile_bins"] = [
        {"name": "ties_16_4bins", "values": ties.tolist(), "bins": 4, "expected": quantile_bins(ties, 4).tolist()},
        {"name": "ages_60_5bins", "values": ages.tolist(), "bins": 5, "expected": bins.tolist()},
        # Mostly one value: the middle bins collapse and are dropped.
        {"name": "mostly_equal_10_5bins", "values": [3, 3, 3, 3, 3, 3, 3, 3, 1, 9], "bins": 5,
         "expected": quantile_bins(np.array([3, 3, 3, 3, 3, 3, 3, 3, 1, 9], dtype=float), 5).tolist()},
    ]

    # LEEP on generic source probabilities: 50 samples, 6 source classes, 3 target classes tied to them.
    target = rng.permutation(np.repeat(np.arange(3), [20, 20, 10]))
    logits = rng.randn(50, 6) + 2.0 * np.eye(6)[(2 * target + rng.randint(0, 2, 50))]
    theta = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    leep_cases = [{"name": "leep_softmax_50x6_3class", "probabilities": theta.tolist(), "labels": target.tolist(),
                   "class_count": 3, "expected": leep(theta, target, 3)}]
    # A source class no sample ever gets (an all-zero column) must simply not count.
    theta0 = np.hstack([theta[:, :3], np.zeros((50, 1)), theta[:, 3:]])
    leep_cases.append({"name": "leep_empty_source_class_50x7", "probabilities": theta0.tolist(), "labels": target.tolist(),
                       "class_count": 3, "expected": leep(theta0, target, 3)})
    # Degenerate: target class 3 has a single member.
    single = target.copy()
    single[7] = 3
    leep_cases.append({"name": "leep_single_member_class_50x6", "probabilities": theta.tolist(), "labels": single.tolist(),
                       "class_count": 4, "expected": leep(theta, single, 4)})

    # An age regressor as the source: predictions for 40 subjects, validation MAE 6 years, 6 bins over 20-80.
    true_age = rng.uniform(20, 80, 40)
    pred = true_age + 6 * math.sqrt(math.pi / 2) * rng.randn(40)
    pred[0] = 150.0  # far outside every bin: its mass is all in the open last bin
    pred[1] = -40.0
    edges = equal_width_edges(20, 80, 6)
    soft = soft_bins(pred, edges, 6.0)
    hard = hard_bins(pred, edges)
    group = (true_age > 50).astype(int)
    doc["regression_source"] = {
        "name": "age_regressor_40", "predictions": pred.tolist(), "low": 20.0, "high": 80.0, "bins": 6,
        "mean_absolute_error": 6.0, "expected_edges": edges, "expected_soft": soft.tolist(), "expected_hard": hard.tolist(),
        "target_labels": group.tolist(), "target_class_count": 2,
        "expected_leep": leep(soft, group, 2), "expected_nce": nce(hard, 6, group, 2),
    }
    doc["leep"] = leep_cases

    src = rng.randint(0, 5, 60)
    src[src == 3] = 4  # source class 3 never occurs
    target = (src + rng.randint(0, 2, 60)) % 3
    doc["nce"] = [
        {"name": "nce_60_5source_3class", "source": src.tolist(), "source_count": 5, "labels": target.tolist(),
         "class_count": 3, "expected": nce(src, 5, target, 3)},
        # Degenerate: target class 3 has a single member.
        {"name": "nce_single_member_class_60", "source": src.tolist(), "source_count": 5,
         "labels": np.where(np.arange(60) == 11, 3, target).tolist(), "class_count": 4,
         "expected": nce(src, 5, np.where(np.arange(60) == 11, 3, target), 4)},
        # Target fully determined by the source: -H(Y|Z) = 0.
        {"name": "nce_determined_12", "source": [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2], "source_count": 3,
         "labels": [1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1], "class_count": 2,
         "expected": nce(np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2]), 3, np.array([1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1]), 2)},
    ]

    # Rank correlations with ties.
    ranks = []

    def add_rank(name, a, b):
        rho = stats.spearmanr(a, b)
        tau = stats.kendalltau(a, b)  # tau-b, scipy's default variant
        case = {"name": name, "a": list(map(float, a)), "b": list(map(float, b)),
                "expected_spearman": float(rho.correlation), "expected_kendall_tau_b": float(tau.correlation),
                "expected_ranks_a": stats.rankdata(a).tolist()}
        if len(a) <= 8:
            # One-sided exact permutation p-values: every pairing of a with b (n! <= n_resamples makes scipy exact).
            for key, fn in (("spearman", lambda x: stats.spearmanr(x, b).correlation),
                            ("kendall_tau_b", lambda x: stats.kendalltau(x, b).correlation)):
                test = stats.permutation_test((np.asarray(a, dtype=float),), fn, permutation_type="pairings",
                                              alternative="greater", n_resamples=100000, vectorized=False)
                case[f"expected_{key}_p_greater"] = float(test.pvalue)
        ranks.append(case)

    add_rank("ties_both_12", [1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8], [2, 1, 3, 3, 5, 4, 6, 6, 6, 9, 8, 8])
    add_rank("ties_one_side_10", [0.5, 0.1, 0.1, 0.9, 0.3, 0.3, 0.3, 0.7, 0.2, 0.8], list(range(10)))
    a = rng.randint(0, 6, 40)
    add_rank("integer_ties_40", a, a + rng.randint(-2, 3, 40))
    # Six scenarios: the exact values rank b before f; rounded to 2 decimals they tie.
    expected = [0.63, 0.41, 0.12, 0.05, 0.07, 0.49]
    exact = [0.641, 0.5112, 0.21, -0.05, 0.18, 0.5104]
    add_rank("six_scenarios_exact", expected, exact)
    add_rank("six_scenarios_rounded", expected, [round(v, 2) for v in exact])
    add_rank("reversed_no_ties_7", [1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1])
    add_rank("ties_both_8", [0.2, 0.5, 0.5, 0.1, 0.9, 0.7, 0.7, 0.3], [1, 3, 2, 1, 4, 4, 3, 2])
    doc["rank"] = ranks

    reg = []
    for name, recommended, best, chance, lower in [
        ("mae_recommended_is_best", 5.85, 5.85, 16.3, True),
        ("mae_f_dual_vs_features", 7.72, 7.54, 15.4, True),
        ("mae_best_worse_than_chance", 16.31, 16.19, 15.5, True),
        ("balanced_accuracy_c", 0.526, 0.604, 0.5, False),
        ("balanced_accuracy_recommended_chance", 0.5, 0.59, 0.5, False),
    ]:
        raw, frac, in_skill = regret(recommended, best, chance, lower)
        reg.append({"name": name, "recommended": recommended, "best": best, "chance": chance, "lower_is_better": lower,
                    "expected_raw": raw, "expected_fraction": frac, "expected_skill": in_skill})
    doc["regret"] = reg

    conf = [0.95, 0.97, 0.5, 0.52, 0.71, 0.88, 1.0, 0.0, 0.2, 0.4, 0.6, 0.8, 0.99, 0.61]
    right = [True, True, False, True, True, False, True, False, False, True, True, True, True, False]
    table, brier, ece = reliability(conf, right, 5)
    levels, _, level_ece = reliability(conf, right, None, edges=[0.7, 0.9])
    doc["calibration"] = {"name": "fourteen_calls_5bins", "confidence": conf, "right": right, "bins": 5,
                          "expected_table": table, "expected_brier": brier, "expected_ece": ece,
                          # The recommendation's levels: low < 0.7 <= medium < 0.9 <= high.
                          "level_edges": [0.7, 0.9], "expected_level_table": levels, "expected_level_ece": level_ece}

    with open(OUT, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    for c in doc["hscore"] + doc["hscore_regression"]:
        print(f"{c['name']:34s} H {c['expected']!r} alpha {c['expected_shrinkage']!r}")
    for c in doc["rank"]:
        print(f"{c['name']:34s} rho {c['expected_spearman']!r} tau {c['expected_kendall_tau_b']!r}")
    print("LEEP", [c["expected"] for c in doc["leep"]], "NCE", [c["expected"] for c in doc["nce"]])
    rs = doc["regression_source"]
    print("regression source LEEP", rs["expected_leep"], "NCE", rs["expected_nce"])


if __name__ == "__main__":
    sys.exit(main())
