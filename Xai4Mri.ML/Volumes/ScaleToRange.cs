namespace Xai4Mri.ML.Volumes;

/// <summary>Clips to fixed bounds (learnt from a dataset) and maps them to [0, 255], optionally rounded as xai4mri's uint8 storage.</summary>
internal sealed record ScaleToRange(float Min, float Max, bool RoundToUInt8) : IIntensityStep
{
    public void Apply(Span<float> conformed, PreparedVolume source) => IntensityScaling.ClipAndScale(conformed, Min, Max, RoundToUInt8);
}
