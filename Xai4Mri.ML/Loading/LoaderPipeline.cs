using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// A fitted loader's way from a file to its conformed volume: the settings' <see cref="VolumePipeline"/>, with the
/// cached steps served from the disk cache when <see cref="NiftiLoaderSettings.UseCache"/> is on.
/// </summary>
internal sealed class LoaderPipeline
{
    public LoaderPipeline(NiftiLoaderSettings settings)
    {
        Settings = settings;
        Steps = settings.Pipeline();
    }

    public NiftiLoaderSettings Settings { get; }

    public VolumePipeline Steps { get; }

    /// <summary>The disk cache in use, or null when caching is off.</summary>
    public VolumeCache? Cache => Settings.UseCache ? VolumeCache.For(Settings.CacheDirectory ?? VolumeCache.DefaultDirectory) : null;

    /// <summary>The prepared (decoded, reoriented, resampled) volume of a file, from the cache when it has it.</summary>
    /// <exception cref="NiftiFormatException">The file cannot be read or prepared.</exception>
    public PreparedVolume Prepare(string path) => Cache is { } cache ? cache.GetOrPrepare(path, Steps) : Steps.Prepare(path);

    /// <summary>The conformed volume of a file into <paramref name="destination"/>; returns how it was placed.</summary>
    public PruneRecord Conform(string path, Span<float> destination) => Steps.Conform(Prepare(path), destination, path);
}
