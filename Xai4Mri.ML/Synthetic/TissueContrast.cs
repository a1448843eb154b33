using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Synthetic;

/// <summary>Noise-free intensity of each tissue relative to the site's intensity scale, for one subject.</summary>
internal readonly record struct TissueContrast(
    double Csf, double Gm, double Wm, double DeepGm, double Lesion, double Bone, double Marrow, double Scalp)
{
    /// <summary>
    /// Contrast of <paramref name="contrast"/> for a subject with the given atrophy index: white matter loses T1
    /// brightness and gains FLAIR signal with age (lower grey/white contrast), and small per-scan jitter of each
    /// tissue keeps intensities from being a fixed lookup.
    /// </summary>
    public static TissueContrast For(SyntheticContrast contrast, double atrophy, ref DeterministicRandom rng)
    {
        double a = Math.Clamp(atrophy, 0, 2);
        TissueContrast c = contrast switch
        {
            SyntheticContrast.Flair => new(0.07, 0.85, 0.62 * (1 + (0.06 * a)), 0.72, 1.45, 0.04, 0.35, 0.65),
            _ => new(0.18, 0.62, 1.0 * (1 - (0.06 * a)), 0.76, 0.42, 0.05, 0.55, 0.85),
        };
        return c with
        {
            Csf = c.Csf * Math.Exp(rng.Normal(0, 0.05)),
            Gm = c.Gm * Math.Exp(rng.Normal(0, 0.02)),
            Wm = c.Wm * Math.Exp(rng.Normal(0, 0.02)),
            DeepGm = c.DeepGm * Math.Exp(rng.Normal(0, 0.02)),
        };
    }

    /// <summary>Mixes the tissue intensities by the voxel's fractions.</summary>
    public double Mix(in TissueFractions f) =>
        (f.Csf * Csf) + (f.Gm * Gm) + (f.Wm * Wm) + (f.DeepGm * DeepGm) + (f.Lesion * Lesion)
        + (f.Bone * Bone) + (f.Marrow * Marrow) + (f.Scalp * Scalp);
}
