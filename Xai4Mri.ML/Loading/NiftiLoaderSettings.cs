using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// Everything a fitted loader conforms files with: the options, checked, and what <c>Fit</c> learnt (the output box
/// and the clip bounds). Immutable; its JSON form (<see cref="ToJson()"/>) is what saved models carry.
/// </summary>
public sealed record NiftiLoaderSettings
{
    /// <summary>Output axis codes (e.g. "LIA").</summary>
    [JsonInclude]
    public string Orientation { get; internal init; } = "LIA";

    /// <summary>Target voxel size in mm (one value, or one per axis), or null to keep each file's.</summary>
    [JsonInclude]
    public double[]? VoxelSize { get; internal init; }

    /// <summary>How volumes are cut to the box around the brain.</summary>
    [JsonInclude]
    public PruneMode Prune { get; internal init; } = PruneMode.Max;

    /// <summary>The output shape (D, H, W).</summary>
    [JsonInclude]
    public int[] TargetShape { get; internal init; } = [1, 1, 1];

    /// <summary>Whether skull and scalp are stripped first; absent from the JSON of earlier versions, which is <see cref="Loading.BrainExtraction.None"/>.</summary>
    [JsonInclude]
    public BrainExtraction BrainExtraction { get; internal init; }

    /// <summary>The background value.</summary>
    [JsonInclude]
    public float BackgroundValue { get; internal init; }

    /// <summary>Intensity clipping and scaling.</summary>
    [JsonInclude]
    public IntensityNormalization Normalization { get; internal init; }

    /// <summary>Upper clip percentile of non-background voxels.</summary>
    [JsonInclude]
    public double ClipPercentile { get; internal init; } = 99.99;

    /// <summary>Round scaled values to whole numbers (xai4mri's uint8 storage).</summary>
    [JsonInclude]
    public bool RoundToUInt8 { get; internal init; } = true;

    /// <summary>Lower clip bound learnt by <c>Fit</c> (<see cref="IntensityNormalization.Dataset"/>).</summary>
    [JsonInclude]
    public float ClipMin { get; internal init; }

    /// <summary>Upper clip bound learnt by <c>Fit</c> (<see cref="IntensityNormalization.Dataset"/>).</summary>
    [JsonInclude]
    public float ClipMax { get; internal init; }

    /// <summary>Take the first volume of 4-D files.</summary>
    [JsonInclude]
    public bool AllowFourD { get; internal init; }

    /// <summary>The most voxels one 3-D volume of a file may have (<see cref="NiftiLoaderOptions.MaxVoxels"/>); absent from the JSON of earlier versions, which is the default.</summary>
    [JsonInclude]
    public long MaxVoxels { get; internal init; } = NiftiLoaderOptions.DefaultMaxVoxels;

    /// <summary>Keep prepared volumes in the disk cache.</summary>
    [JsonInclude]
    public bool UseCache { get; internal init; } = true;

    /// <summary>The cache folder; null for <see cref="VolumeCache.DefaultDirectory"/>.</summary>
    [JsonInclude]
    public string? CacheDirectory { get; internal init; }

    /// <summary>Number of values of one conformed volume (D·H·W).</summary>
    [JsonIgnore]
    public int OutputLength => TargetShape[0] * TargetShape[1] * TargetShape[2];

    /// <summary>
    /// The JSON form (enums as numbers), as saved models store it. It leaves out <see cref="CacheDirectory"/>: a cache
    /// folder belongs to a machine, not to a model, so a loaded model uses the default location where it runs.
    /// </summary>
    public string ToJson() => ToJson(withCacheDirectory: false);

    /// <summary>The JSON form, with the cache folder for steps in the same process (the image column's annotation).</summary>
    internal string ToJson(bool withCacheDirectory) => JsonSerializer.Serialize(withCacheDirectory ? this : this with { CacheDirectory = null });

    /// <summary>Parses and checks the JSON form.</summary>
    /// <exception cref="FormatException">The text is not the JSON of loader settings, or a value in it is invalid.</exception>
    public static NiftiLoaderSettings FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        NiftiLoaderSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<NiftiLoaderSettings>(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not the JSON of NiftiLoaderSettings: {e.Message}", e);
        }
        if (settings is null)
        {
            throw new FormatException("empty NiftiLoaderSettings JSON");
        }
        try
        {
            Check(settings.Orientation, settings.VoxelSize, settings.TargetShape, settings.ClipPercentile, settings.Prune, settings.Normalization, settings.BackgroundValue, settings.BrainExtraction, nameof(NiftiLoaderSettings));
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        if (settings.MaxVoxels < 1)
        {
            throw new FormatException($"NiftiLoaderSettings.MaxVoxels must be at least 1, got {settings.MaxVoxels}");
        }
        if (!float.IsFinite(settings.ClipMin) || !float.IsFinite(settings.ClipMax) || settings.ClipMin > settings.ClipMax)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"NiftiLoaderSettings: clip bounds [{settings.ClipMin}, {settings.ClipMax}] are not an interval"));
        }
        return settings;
    }

    /// <summary>The settings for <paramref name="options"/>, before <c>Fit</c> has learnt the box and the clip bounds.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal static NiftiLoaderSettings From(NiftiLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options.Orientation, options.VoxelSize, options.TargetShape, options.ClipPercentile, options.Prune, options.Normalization, options.BackgroundValue, options.BrainExtraction, nameof(NiftiLoaderOptions));
        if (options.MaxVoxels < 1)
        {
            throw new ArgumentException($"NiftiLoaderOptions.MaxVoxels must be at least 1, got {options.MaxVoxels}", nameof(options));
        }
        if (options.MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentException($"NiftiLoaderOptions.MaxDegreeOfParallelism must be at least 1, got {options.MaxDegreeOfParallelism}", nameof(options));
        }
        return new NiftiLoaderSettings
        {
            Orientation = options.Orientation.ToUpperInvariant(),
            VoxelSize = options.VoxelSize is { } v ? [.. v] : null,
            Prune = options.Prune,
            TargetShape = options.TargetShape is { } t ? [.. t] : [1, 1, 1],
            BackgroundValue = options.BackgroundValue,
            BrainExtraction = options.BrainExtraction,
            Normalization = options.Normalization,
            ClipPercentile = options.ClipPercentile,
            RoundToUInt8 = options.RoundToUInt8,
            AllowFourD = options.AllowFourD,
            MaxVoxels = options.MaxVoxels,
            UseCache = options.UseCache,
            CacheDirectory = options.CacheDirectory,
        };
    }

    /// <summary>
    /// How these settings prepare a network's input, for a network trained on it (so that
    /// <see cref="NiftiLoaderOptions.For"/> conforms new data alike).
    /// </summary>
    internal InputConventions Conventions() => new()
    {
        Orientation = Orientation,
        VoxelSize = VoxelSize is { } v ? [.. v] : null,
        NormalizedTo255 = Normalization != IntensityNormalization.None,
        Description = string.Create(CultureInfo.InvariantCulture,
            $"LoadNifti {Orientation}, {(VoxelSize is { } mm ? string.Join('x', mm) + " mm" : "native voxel size")}, box {string.Join('x', TargetShape)}, {Normalization} normalisation"),
    };

    /// <summary>These settings with the box and clip bounds a <c>Fit</c> learnt.</summary>
    internal NiftiLoaderSettings Fitted(int[] targetShape, float clipMin, float clipMax) =>
        this with { TargetShape = [.. targetShape], ClipMin = clipMin, ClipMax = clipMax };

    /// <summary>The steps that conform a file with these settings.</summary>
    internal VolumePipeline Pipeline() => new(
        AllowFourD,
        BackgroundValue,
        [
            .. BrainExtraction == BrainExtraction.None ? Array.Empty<IVolumeStep>() : [new BrainExtractionStep(BrainExtraction == BrainExtraction.Auto, BackgroundValue)],
            new ReorientStep(Orientation),
            .. VoxelSize is { } voxel ? [new ResampleStep(voxel)] : Array.Empty<IVolumeStep>(),
        ],
        new PlaceInBox(TargetShape, Prune != PruneMode.None, BackgroundValue),
        Normalization switch
        {
            IntensityNormalization.PerImage => new ScaleToImageRange(ClipPercentile, BackgroundValue, RoundToUInt8),
            IntensityNormalization.Dataset => new ScaleToRange(ClipMin, ClipMax, RoundToUInt8),
            _ => null,
        },
        MaxVoxels);

    private static void Check(string orientation, double[]? voxelSize, int[]? targetShape, double clipPercentile, PruneMode prune, IntensityNormalization normalization, float background, BrainExtraction brainExtraction, string owner)
    {
        if (!Enum.IsDefined(brainExtraction))
        {
            throw new ArgumentException($"{owner}.BrainExtraction: {(int)brainExtraction} is not a BrainExtraction", nameof(brainExtraction));
        }
        try
        {
            Reorientation.ParseAxisCodes(orientation);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{owner}.Orientation: {e.Message}", nameof(orientation), e);
        }
        if (voxelSize is not null && (voxelSize.Length is not (1 or 3) || voxelSize.Any(v => !(v > 0) || !double.IsFinite(v))))
        {
            throw new ArgumentException($"{owner}.VoxelSize needs one or three positive sizes in mm, got [{string.Join(", ", voxelSize.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]", nameof(voxelSize));
        }
        if (targetShape is not null && (targetShape.Length != 3 || targetShape.Any(x => x <= 0)))
        {
            throw new ArgumentException($"{owner}.TargetShape needs three positive sizes, got [{string.Join(", ", targetShape)}]", nameof(targetShape));
        }
        if (!(clipPercentile > 50 && clipPercentile <= 100))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{owner}.ClipPercentile must be in (50, 100], got {clipPercentile}"), nameof(clipPercentile));
        }
        if (!Enum.IsDefined(prune))
        {
            throw new ArgumentException($"{owner}.Prune: {(int)prune} is not a PruneMode", nameof(prune));
        }
        if (!Enum.IsDefined(normalization))
        {
            throw new ArgumentException($"{owner}.Normalization: {(int)normalization} is not an IntensityNormalization", nameof(normalization));
        }
        if (!float.IsFinite(background))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{owner}.BackgroundValue must be a finite number, got {background}"), nameof(background));
        }
    }
}
