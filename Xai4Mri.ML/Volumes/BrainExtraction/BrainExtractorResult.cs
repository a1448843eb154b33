namespace Xai4Mri.ML.Volumes;

/// <summary>What <see cref="BrainExtractor.Extract"/> found: the brain mask, the stripped image and how the surface got there.</summary>
public sealed class BrainExtractorResult
{
    internal BrainExtractorResult(Volume mask, Volume stripped, double volumeMl, (double X, double Y, double Z) centre, int iterations,
        bool retried, bool selfIntersecting, bool leakCorrected, double brainSurfaceVolumeMl, double innerSkullFraction,
        double lowPercentile, double highPercentile, double threshold)
    {
        Mask = mask;
        Stripped = stripped;
        BrainVolumeMl = volumeMl;
        CentreOfGravity = centre;
        Iterations = iterations;
        Retried = retried;
        SelfIntersecting = selfIntersecting;
        LeakCorrected = leakCorrected;
        BrainSurfaceVolumeMl = brainSurfaceVolumeMl;
        InnerSkullFraction = innerSkullFraction;
        LowPercentile = lowPercentile;
        HighPercentile = highPercentile;
        Threshold = threshold;
    }

    /// <summary>1 inside the brain, 0 outside, on the input's grid and affine.</summary>
    public Volume Mask { get; }

    /// <summary>The input's intensities inside the mask and exactly 0 outside, on the input's grid and affine.</summary>
    public Volume Stripped { get; }

    /// <summary>Volume of the mask in millilitres (voxel count times the voxel volume from the affine).</summary>
    public double BrainVolumeMl { get; }

    /// <summary>World position (mm) of the head's intensity-weighted centre of gravity, where the surface started.</summary>
    public (double X, double Y, double Z) CentreOfGravity { get; }

    /// <summary>Surface update steps run, over all attempts.</summary>
    public int Iterations { get; }

    /// <summary>True when the first surface intersected itself and a stiffer one was run.</summary>
    public bool Retried { get; }

    /// <summary>True when the surface still intersected itself after the last retry (the mask is then less trustworthy).</summary>
    public bool SelfIntersecting { get; }

    /// <summary>
    /// True when the surface had followed tissue outside the brain through a thin gap in the skull base (the
    /// orbits, the neck) and was run again with those parts pulled back to the brain.
    /// </summary>
    public bool LeakCorrected { get; }

    /// <summary>
    /// Volume (mL) enclosed by the brain surface before it was moved out to the inner skull: the brain without the
    /// CSF around it, from the surface mesh. Equal to the mask's volume, up to rasterisation, when
    /// <see cref="BrainExtractorOptions.ExpandToInnerSkull"/> is off.
    /// </summary>
    public double BrainSurfaceVolumeMl { get; }

    /// <summary>
    /// Fraction of surface points beyond which a skull was found (0 when <see cref="BrainExtractorOptions.ExpandToInnerSkull"/>
    /// is off); near 0 for an image that was already brain-extracted.
    /// </summary>
    public double InnerSkullFraction { get; }

    /// <summary>Smith's t2: the 2nd percentile of the image.</summary>
    public double LowPercentile { get; }

    /// <summary>Smith's t98: the 98th percentile of the image.</summary>
    public double HighPercentile { get; }

    /// <summary>Smith's brain/background threshold t = t2 + 0.1 (t98 − t2).</summary>
    public double Threshold { get; }
}
