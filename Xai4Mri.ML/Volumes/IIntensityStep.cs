namespace Xai4Mri.ML.Volumes;

/// <summary>The intensity step of conforming: clips and scales a conformed volume in place (no inverse is needed for maps).</summary>
internal interface IIntensityStep
{
    /// <summary>Scales <paramref name="conformed"/>; <paramref name="source"/> is the prepared volume it was placed from.</summary>
    void Apply(Span<float> conformed, PreparedVolume source);
}
