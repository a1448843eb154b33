"""The lowest age MAE any model can reach on the synthetic cohorts (docs/transfer-results.md).

Every age effect of the generator (Xai4Mri.ML/Synthetic/BrainPhantom.cs) goes through one atrophy index
    alpha = baseline(age) * g * exp(0.2 z1) + o + 0.04 z2,   baseline = 0.6 t + 0.4 t^2,  t = (age - 20) / 60,
with g = 1.45, o = 0.08 for patients (25 %) and g = 1, o = 0 for controls; everything else in an image is independent
of age given alpha. So a model that recovered alpha exactly would still face the posterior p(age | alpha), and the
best MAE is E|age - median(age | alpha)|: computed here on a grid (ages uniform 20-80, z1 integrated numerically)
for 20,000 simulated subjects.  Run: python3 bench/synthetic_age_floor.py  (NumPy only, about a minute).
"""
import numpy as np

rng = np.random.default_rng(0)
ages = np.linspace(20, 80, 601)
z = np.linspace(-5, 5, 201)
weights = np.exp(-z * z / 2)
weights /= weights.sum()
t = (ages - 20) / 60
baseline = 0.6 * t + 0.4 * t * t
patient_fraction = 0.25


def atrophy(age, patient, z1, z2):
    tt = np.clip((age - 20) / 60, -0.33, 1.5)
    b = 0.6 * tt + 0.4 * tt * tt
    g = np.where(patient, 1.45, 1.0)
    o = np.where(patient, 0.08, 0.0)
    return np.maximum(-0.2, b * g * np.exp(0.2 * z1) + o + 0.04 * z2)


def posterior_median(observed):
    likelihood = np.zeros((len(observed), len(ages)))
    for g, o, p in ((1.0, 0.0, 1 - patient_fraction), (1.45, 0.08, patient_fraction)):
        mean = baseline[None, :, None] * g * np.exp(0.2 * z)[None, None, :] + o
        d = (observed[:, None, None] - mean) / 0.04
        likelihood += p * (np.exp(-d * d / 2) * weights).sum(-1)
    cdf = np.cumsum(likelihood / likelihood.sum(1, keepdims=True), axis=1)
    return ages[(cdf < 0.5).sum(1)]


n = 20000
age = rng.uniform(20, 80, n)
patient = rng.random(n) < patient_fraction
alpha = atrophy(age, patient, rng.standard_normal(n), rng.standard_normal(n))
median = np.concatenate([posterior_median(alpha[i:i + 500]) for i in range(0, n, 500)])
error = np.abs(age - median)
print(f"best possible MAE {error.mean():.2f} years (standard error {error.std() / np.sqrt(n):.2f}); "
      f"controls {error[~patient].mean():.2f}, patients {error[patient].mean():.2f}; "
      f"predicting the mean age {np.abs(age - 50).mean():.2f}")
