namespace Xai4Mri.ML.Volumes;

/// <summary>The evidence <see cref="HeadCheck.Check"/> weighed, and its verdict.</summary>
/// <param name="Verdict">The conclusion.</param>
/// <param name="ForegroundVolumeMl">Volume (mL) above the brain/background threshold (10 % of the way from the 2nd to the 98th percentile).</param>
/// <param name="ShellFraction">Fraction of the rays through the upper head that pass, from outside in, a bright layer, a dark band and bright tissue again (scalp, skull, brain); NaN when no ray could be followed.</param>
/// <param name="RaysUsed">Rays that left the object before the edge of the field of view (rays through a cut-off head are not counted).</param>
/// <param name="BorderFraction">Fraction of the grid's border voxels that are not exactly 0 (the evidence of the older border heuristic; reported, not used in the verdict, as real heads often have an exactly-zero border).</param>
/// <param name="Reason">The evidence behind the verdict, in words.</param>
public sealed record HeadCheckResult(
    HeadCheckVerdict Verdict, double ForegroundVolumeMl, double ShellFraction, int RaysUsed, double BorderFraction, string Reason)
{
    /// <summary>True when the image shows a head rather than an extracted brain.</summary>
    public bool NotBrainExtracted => Verdict == HeadCheckVerdict.NotBrainExtracted;
}
