using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>Settings of <see cref="NiftiLoaderEstimator"/> (<c>ml.Transforms.LoadNifti</c>); defaults follow xai4mri.</summary>
public sealed class NiftiLoaderOptions
{
    /// <summary>
    /// Options that conform images the way <paramref name="model"/> expects them — its orientation, voxel size (when
    /// it records one), input box and intensity scaling — so that every user of a model (training, analysis,
    /// prediction, explanation) prepares data alike. A model trained on brain-extracted images gets
    /// <see cref="Loading.BrainExtraction.Auto"/>, so that heads are stripped and extracted brains kept. Other options
    /// keep their defaults; change them on the result.
    /// </summary>
    /// <param name="model">The network the images are for.</param>
    public static NiftiLoaderOptions For(MriNetModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var conventions = model.Conventions;
        return new NiftiLoaderOptions
        {
            Orientation = conventions.Orientation,
            VoxelSize = conventions.VoxelSize is { Length: > 0 } voxel ? [.. voxel] : null,
            TargetShape = [.. model.InputShape],
            Normalization = conventions.NormalizedTo255 ? IntensityNormalization.Dataset : IntensityNormalization.None,
            RoundToUInt8 = conventions.NormalizedTo255,
            BrainExtraction = conventions.BrainExtracted ? BrainExtraction.Auto : BrainExtraction.None,
        };
    }

    /// <summary>Orientation of the output axes as three axis codes; default "LIA" (FreeSurfer's conformed space, xai4mri's reference).</summary>
    public string Orientation { get; set; } = "LIA";

    /// <summary>Resample to this voxel size in mm (one value, or one per axis) by trilinear interpolation; null keeps each file's voxel size.</summary>
    public double[]? VoxelSize { get; set; }

    /// <summary>How to cut the volume to a box around the brain; default <see cref="PruneMode.Max"/>.</summary>
    public PruneMode Prune { get; set; } = PruneMode.Max;

    /// <summary>
    /// Output shape (D, H, W). Null: <c>Fit</c> learns it from the training images (the largest brain extent per axis,
    /// or the whole grid without pruning). When given and a brain is larger, the brain is cut symmetrically and a
    /// warning is logged.
    /// </summary>
    public int[]? TargetShape { get; set; }

    /// <summary>
    /// Strip skull and scalp first (<see cref="BrainExtractor"/>, a cached step): <see cref="Loading.BrainExtraction.None"/>
    /// (default), <see cref="Loading.BrainExtraction.Auto"/> for the images the head check finds not brain-extracted,
    /// or <see cref="Loading.BrainExtraction.Always"/>. An image whose brain cannot be extracted becomes all
    /// background, and the fit report names it.
    /// </summary>
    public BrainExtraction BrainExtraction { get; set; }

    /// <summary>Background value (0: brain-extracted images, as xai4mri expects).</summary>
    public float BackgroundValue { get; set; }

    /// <summary>Intensity clipping and scaling to [0, 255]; default <see cref="IntensityNormalization.Dataset"/> as xai4mri.</summary>
    public IntensityNormalization Normalization { get; set; } = IntensityNormalization.Dataset;

    /// <summary>Upper clip percentile of non-background voxels (the lower one is 100 minus it); default 99.99.</summary>
    public double ClipPercentile { get; set; } = 99.99;

    /// <summary>Round normalised values to whole numbers, as xai4mri's uint8 storage does; default true.</summary>
    public bool RoundToUInt8 { get; set; } = true;

    /// <summary>Take the first volume of 4-D files instead of failing; default false.</summary>
    public bool AllowFourD { get; set; }

    /// <summary>The default of <see cref="MaxVoxels"/>: 2^28 (268,435,456) voxels, 1 GiB as float32.</summary>
    public const long DefaultMaxVoxels = 1L << 28;

    /// <summary>
    /// The most voxels one 3-D volume of a file may have; default <see cref="DefaultMaxVoxels"/> (2^28, e.g.
    /// 645³; a 0.5 mm whole-head scan has about 10^8). Checked from the header before any voxel is read: a larger
    /// image fails with an <see cref="ImageFormatException"/> naming the file, its dimensions and this option.
    /// </summary>
    /// <remarks>
    /// Preparing a volume takes several float copies of it at once (decoding, reorienting, resampling, the cache):
    /// about 28 bytes per voxel at the peak, so the default bounds one file at some 7.5 GB, for each file decoded
    /// concurrently (<see cref="MaxDegreeOfParallelism"/>). Raise it for larger images on a machine that has the memory.
    /// </remarks>
    public long MaxVoxels { get; set; } = DefaultMaxVoxels;

    /// <summary>Keep decoded volumes in a disk cache; default true.</summary>
    public bool UseCache { get; set; } = true;

    /// <summary>Cache folder; null for <see cref="VolumeCache.DefaultDirectory"/> (outside the data folder).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Column with subject ids used in messages; null picks "sid", else "participant_id", when present.</summary>
    public string? SubjectColumnName { get; set; }

    /// <summary>Files decoded concurrently; default: the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
}
