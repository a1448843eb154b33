namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Strips skull, scalp and neck with <see cref="BrainExtractor"/> — always, or only from images that
/// <see cref="HeadCheck"/> finds not brain-extracted. The grid is unchanged; outside the brain mask the image is the
/// background. The inverse is the identity with the mask applied (<see cref="VolumePipeline.ToNative"/> sets a map
/// to the fill value outside the brain).
/// </summary>
internal sealed class BrainExtractionStep : IVolumeStep
{
    /// <summary>A step that strips every image (<paramref name="onlyHeads"/> false) or only the heads.</summary>
    /// <param name="onlyHeads">Strip only the images the head check finds not brain-extracted.</param>
    /// <param name="background">The value outside the brain.</param>
    public BrainExtractionStep(bool onlyHeads, float background)
    {
        OnlyHeads = onlyHeads;
        Background = background;
    }

    /// <summary>Strip only the images that are heads.</summary>
    public bool OnlyHeads { get; }

    /// <summary>The value outside the brain.</summary>
    public float Background { get; }

    public string Key => OnlyHeads ? "brain=auto" : "brain=always";

    public string Description => OnlyHeads ? "extract the brain of a head image" : "extract the brain";

    public GridGeometry Output(GridGeometry input) => input;

    public Volume Apply(Volume input) => Apply(input, HeadCheck.Check(input)).Volume;

    /// <summary>The step given the head check of <paramref name="input"/> (the pipeline has made it already); says whether it stripped.</summary>
    /// <exception cref="ArgumentException">The brain cannot be extracted (no head, a uniform blob, an empty mask); the message says why.</exception>
    public (Volume Volume, bool Stripped) Apply(Volume input, HeadCheckResult check)
    {
        if (OnlyHeads && check.Verdict != HeadCheckVerdict.NotBrainExtracted)
        {
            return (input, false);
        }
        var result = BrainExtractor.Extract(input);
        return (Masked(input, result.Mask.Data, Background), true);
    }

    public Volume Invert(Volume map, GridGeometry input, float fill) => new(map.Data, [.. input.Shape], input.Affine);

    /// <summary><paramref name="volume"/> with <paramref name="fill"/> wherever <paramref name="mask"/> is 0.</summary>
    public static Volume Masked(Volume volume, float[] mask, float fill)
    {
        var data = new float[volume.Data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = mask[i] != 0 ? volume.Data[i] : fill;
        }
        return new Volume(data, [.. volume.Shape], volume.Affine);
    }
}
