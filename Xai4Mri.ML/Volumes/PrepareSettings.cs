using System.Globalization;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>The per-file decoding settings whose result is cached: orientation, voxel size, 4-D handling, background.</summary>
/// <param name="Orientation">Target axis codes, e.g. "LIA".</param>
/// <param name="VoxelSize">Target voxel size in mm (one or three values), or null to keep the file's.</param>
/// <param name="AllowFourD">Take the first volume of 4-D files instead of failing.</param>
/// <param name="Background">The background value (0 for brain-extracted images).</param>
public sealed record PrepareSettings(string Orientation, double[]? VoxelSize, bool AllowFourD, float Background)
{
    /// <summary>Version of the preparation code; bump it when the cached result of the same settings changes.</summary>
    public const int CodeVersion = 1;

    /// <summary>A canonical text of the settings, part of the cache key.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"v{CodeVersion};orient={Orientation.ToUpperInvariant()};vox={(VoxelSize is null ? "native" : string.Join(',', VoxelSize.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))};4d={AllowFourD};bg={Background:R}");
}
