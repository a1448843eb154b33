using System.Text.Json;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Data;

/// <summary>
/// Everything a fitted loader needs to conform a file: the options plus what <c>Fit</c> learned (output shape,
/// clip bounds). Serialised as JSON into saved models.
/// </summary>
public sealed record NiftiLoaderParameters
{
    /// <summary>Output axis codes.</summary>
    public string Orientation { get; init; } = "LIA";

    /// <summary>Target voxel size in mm, or null.</summary>
    public double[]? VoxelSize { get; init; }

    /// <summary>Pruning mode.</summary>
    public PruneMode Prune { get; init; } = PruneMode.Max;

    /// <summary>Output shape (D, H, W).</summary>
    public int[] TargetShape { get; init; } = [1, 1, 1];

    /// <summary>Background value.</summary>
    public float BackgroundValue { get; init; }

    /// <summary>Intensity normalisation.</summary>
    public IntensityNormalization Normalization { get; init; }

    /// <summary>Clip percentile.</summary>
    public double ClipPercentile { get; init; } = 99.99;

    /// <summary>Round to whole numbers after scaling.</summary>
    public bool RoundToUInt8 { get; init; } = true;

    /// <summary>Learned lower clip bound (dataset normalisation).</summary>
    public float ClipMin { get; init; }

    /// <summary>Learned upper clip bound (dataset normalisation).</summary>
    public float ClipMax { get; init; }

    /// <summary>Take the first volume of 4-D files.</summary>
    public bool AllowFourD { get; init; }

    /// <summary>Use the disk cache.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Cache folder (null: default).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The decoding settings (the cached part).</summary>
    public PrepareSettings PrepareSettings => new(Orientation, VoxelSize, AllowFourD, BackgroundValue);

    /// <summary>Number of output values.</summary>
    public int OutputLength => TargetShape[0] * TargetShape[1] * TargetShape[2];

    /// <summary>JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses the JSON form.</summary>
    public static NiftiLoaderParameters FromJson(string json) =>
        JsonSerializer.Deserialize<NiftiLoaderParameters>(json) ?? throw new ArgumentException("empty loader parameters", nameof(json));

    /// <summary>Decodes (or fetches from the cache) and conforms one file.</summary>
    public PreparedVolume Prepare(string path) => UseCache
        ? VolumeCache.For(CacheDirectory ?? VolumeCache.DefaultDirectory).GetOrPrepare(path, PrepareSettings)
        : VolumePreparation.Prepare(path, PrepareSettings);
}
