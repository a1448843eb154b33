namespace Xai4Mri.ML.Volumes;

/// <summary>Clips each image at its own percentiles of non-background voxels and maps them to [0, 255].</summary>
internal sealed record ScaleToImageRange(double Percentile, float Background, bool RoundToUInt8) : IIntensityStep
{
    public void Apply(Span<float> conformed, PreparedVolume source)
    {
        if (IntensityScaling.ClipRange(source.BoxData, Percentile, Background) is { } range)
        {
            IntensityScaling.ClipAndScale(conformed, range.Min, range.Max, RoundToUInt8);
        }
    }
}
