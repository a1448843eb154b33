namespace Xai4Mri.ML.Synthetic;

/// <summary>Partial-volume fractions of each tissue in one voxel (they sum to at most 1; the rest is air).</summary>
internal struct TissueFractions
{
    public double Csf;
    public double Gm;
    public double Wm;
    public double DeepGm;
    public double Lesion;
    public double Bone;
    public double Marrow;
    public double Scalp;

    /// <summary>The part of <see cref="Csf"/> that lies in the lateral ventricles.</summary>
    public double Ventricle;

    /// <summary>The part of <see cref="Lesion"/> that belongs to the planted lesion.</summary>
    public double Planted;

    /// <summary>True when the voxel centre lies inside the intracranial volume (the skull-stripped brain mask).</summary>
    public bool InsideMask;

    /// <summary>The region of a voxel with these fractions: the tissue with the largest fraction (the first on ties).</summary>
    public readonly SyntheticRegion Region()
    {
        if (!InsideMask)
        {
            return SyntheticRegion.Background;
        }
        var best = SyntheticRegion.Csf;
        double most = Csf - Ventricle;
        void Consider(SyntheticRegion region, double fraction)
        {
            if (fraction > most)
            {
                best = region;
                most = fraction;
            }
        }
        Consider(SyntheticRegion.CorticalGrayMatter, Gm);
        Consider(SyntheticRegion.WhiteMatter, Wm);
        Consider(SyntheticRegion.DeepGrayMatter, DeepGm);
        Consider(SyntheticRegion.Ventricles, Ventricle);
        Consider(SyntheticRegion.Lesions, Lesion - Planted);
        Consider(SyntheticRegion.PlantedLesion, Planted);
        return best;
    }
}
