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

    /// <summary>True when the voxel centre lies inside the intracranial volume (the skull-stripped brain mask).</summary>
    public bool InsideMask;
}
