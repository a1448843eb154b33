namespace Xai4Mri.ML.Explanations;

/// <summary>What <see cref="RelevanceMaps.Compute"/> computes: the method, the output to explain and the method's parameters.</summary>
public sealed record RelevanceOptions
{
    /// <summary>The attribution method (default iNNvestigate's <c>lrp.sequential_preset_a</c>, xai4mri's default).</summary>
    public RelevanceMethod Method { get; init; } = RelevanceMethod.LrpPresetA;

    /// <summary>
    /// The class to explain for every image; null explains each image's predicted class (the largest logit). A
    /// regression network has one output, explained whatever this says as long as it is null or 0.
    /// </summary>
    public int? Target { get; init; }

    /// <summary>
    /// ε of the LRP-ε rule (for the composites: of their dense layers). Null takes the method's default: 1e-6 for
    /// <see cref="RelevanceMethod.LrpEpsilon"/> and zennit's composites, 0.1 for iNNvestigate's presets.
    /// </summary>
    public double? Epsilon { get; init; }

    /// <summary>
    /// Added, with the sign of the denominator (+ for 0), to the denominators of the z⁺, αβ, flat and w² rules and of
    /// average pooling, so that a neuron without contributions gets no relevance instead of a division by zero
    /// (zennit's default, 1e-6).
    /// </summary>
    public double Stabilizer { get; init; } = 1e-6;

    /// <summary>A rule for the first convolution or dense layer of an LRP method (default: the method's own).</summary>
    public LrpFirstLayerRule FirstLayerRule { get; init; } = LrpFirstLayerRule.Default;

    /// <summary>SmoothGrad's noise standard deviation as a fraction of each image's range (max − min); Smilkov et al. suggest 0.1–0.2.</summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>SmoothGrad's number of noisy copies per image.</summary>
    public int Samples { get; init; } = 25;

    /// <summary>Seed of SmoothGrad's noise; the same seed gives the same maps.</summary>
    public int Seed { get; init; }

    /// <summary>Integrated gradients' number of steps along the path from the baseline to the image.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Integrated gradients' baseline: a constant image of this value (0: the background of a brain-extracted scan).</summary>
    public float Baseline { get; init; }

    /// <summary>Occlusion's cube edge in voxels.</summary>
    public int PatchSize { get; init; } = 8;

    /// <summary>Occlusion's step between cubes in voxels.</summary>
    public int Stride { get; init; } = 4;

    /// <summary>The value occluded voxels are set to.</summary>
    public float FillValue { get; init; }

    /// <summary>
    /// How many volumes go through the network at once: images per LRP or gradient pass, and noisy, interpolated or
    /// occluded copies per pass for SmoothGrad, integrated gradients and occlusion. Memory grows with it.
    /// </summary>
    public int BatchSize { get; init; } = 4;
}
