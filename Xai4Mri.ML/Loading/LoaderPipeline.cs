using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// A fitted loader's way from a file to its conformed volume: the settings' <see cref="VolumePipeline"/>, with the
/// cached steps served from the disk cache when <see cref="NiftiLoaderSettings.UseCache"/> is on.
/// </summary>
internal sealed class LoaderPipeline
{
    /// <summary>
    /// The annotation on a loader's image column that holds its settings (JSON, with the cache folder), so that later
    /// steps — the transfer analysis, the trainer — prepare files as the loader did and find them in its cache.
    /// </summary>
    public const string SettingsAnnotation = "Xai4Mri.LoaderSettings";

    private static readonly ConcurrentDictionary<string, LoaderPipeline> FromAnnotations = new(StringComparer.Ordinal);

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
    /// <exception cref="ImageFormatException">The file cannot be read or prepared.</exception>
    public PreparedVolume Prepare(string path)
    {
        if (Cache is not { } cache)
        {
            return Steps.Prepare(path);
        }
        // The header first: the cache hashes the whole file, which for a file over the budget is time spent on nothing.
        Steps.CheckHeader(MriImage.Load(path));
        return cache.GetOrPrepare(path, Steps);
    }

    /// <summary>The annotations a loader's image column carries.</summary>
    public DataViewSchema.Annotations Annotations()
    {
        var json = Settings.ToJson(withCacheDirectory: true).AsMemory();
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(SettingsAnnotation, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = json);
        return builder.ToAnnotations();
    }

    /// <summary>The pipeline of the loader that wrote <paramref name="column"/>, or null when no loader of ours did (e.g. after a model .zip was loaded).</summary>
    public static LoaderPipeline? Of(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(SettingsAnnotation)?.Type is not TextDataViewType)
        {
            return null;
        }
        ReadOnlyMemory<char> json = default;
        column.Annotations.GetValue(SettingsAnnotation, ref json);
        return FromAnnotations.GetOrAdd(json.ToString(), text => new LoaderPipeline(NiftiLoaderSettings.FromJson(text)));
    }

    /// <summary>The conformed volume of a file into <paramref name="destination"/>; returns how it was placed.</summary>
    public PruneRecord Conform(string path, Span<float> destination) => Steps.Conform(Prepare(path), destination, path);
}
