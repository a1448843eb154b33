namespace Xai4Mri.ML.Volumes;

/// <summary>Settings of <see cref="BrainExtractor.Extract"/>; the defaults are those of Smith (2002) where the paper gives one, except the fractional threshold.</summary>
public sealed class BrainExtractorOptions
{
    /// <summary>
    /// Smith's fractional intensity threshold b_t in (0, 1): smaller values grow the surface further into darker
    /// tissue, larger values keep it tighter. Default 0.6, not the paper's 0.5: the surface only has to reach the
    /// brain, as the skull search moves it out to the inner skull, and at 0.5 it crossed the wide CSF of strongly
    /// atrophied T1w brains into the skull (docs/brain-extraction.md gives the numbers).
    /// </summary>
    public double FractionalThreshold { get; set; } = 0.6;

    /// <summary>
    /// Most surface update steps per attempt. Default 1000 (the paper's fixed number); the surface stops earlier
    /// once its enclosed volume has settled (changed by under 0.5 % over 100 steps, after at least 200).
    /// </summary>
    public int Iterations { get; set; } = 1000;

    /// <summary>
    /// Move the brain surface out to the inner surface of the skull, so the mask is the intracranial volume
    /// (brain and the cerebrospinal fluid around it), as skull-stripped datasets and the synthetic generator
    /// define it. Default true; false keeps the surface at the brain's edge.
    /// </summary>
    public bool ExpandToInnerSkull { get; set; } = true;

    /// <summary>Thickness (mm) of the skull's dark inner table between the intracranial space and the diploë. Default 1.5.</summary>
    public double InnerTableThickness { get; set; } = 1.5;

    /// <summary>Restarts with a stiffer surface when the result intersects itself. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Masks smaller than this (mL) are refused as "no brain found". Default 250: below the intracranial volume
    /// of a newborn (about 350–450 mL), far below an adult brain (about 900–1,900 mL).
    /// </summary>
    public double MinimumVolumeMl { get; set; } = 250;

    /// <summary>Threads used; null for one per processor core. The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; set; }
}
