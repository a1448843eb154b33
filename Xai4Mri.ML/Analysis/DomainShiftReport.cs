namespace Xai4Mri.ML.Analysis;

/// <summary>
/// How far the new data's penultimate-layer features lie from the source's: per feature the standardised mean
/// difference d = (target mean − source mean) / source sd, summarised.
/// </summary>
/// <param name="Reference">What the source side is: the statistics stored with the model, or a reference cohort.</param>
/// <param name="ActiveFeatures">Features that vary on the source (sd above 1e-6 of the largest); only these are compared.</param>
/// <param name="MeanAbsoluteShift">Mean |d| over the active features.</param>
/// <param name="LargeShiftFraction">Share of active features with |d| &gt; 1 (the target mean outside one source sd).</param>
/// <param name="MedianScaleRatio">Median of target sd / source sd: below 1 the features vary less on the new data (saturated or silent units).</param>
/// <param name="Level">"none" (mean |d| &lt; 0.2), "small" (&lt; 0.5), "moderate" (&lt; 1) or "large".</param>
public sealed record DomainShiftReport(string Reference, int ActiveFeatures, double MeanAbsoluteShift, double LargeShiftFraction, double MedianScaleRatio, string Level)
{
    /// <summary>True for a moderate or large shift: the pretrained convolutional layers should adapt, not stay frozen.</summary>
    public bool IsSubstantial => Level is "moderate" or "large";
}
