using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// A fitted NIfTI loader: adds a known-size <c>Vector&lt;Single, D, H, W&gt;</c> column of conformed volumes read
/// from a column of file paths.
/// </summary>
public sealed class NiftiLoaderTransformer : ITransformer
{
    private readonly IHostEnvironment _env;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    internal NiftiLoaderTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName, string? subjectColumnName,
        NiftiLoaderSettings settings, int parallelism, NiftiLoaderFitReport report)
    {
        _env = env;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        SubjectColumnName = subjectColumnName;
        Settings = settings;
        Pipeline = new LoaderPipeline(settings);
        MaxDegreeOfParallelism = parallelism;
        FitReport = report;
    }

    /// <summary>The image column this transformer adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column of file paths it reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The subject-id column used in messages, if any.</summary>
    public string? SubjectColumnName { get; }

    /// <summary>The settings it conforms with: the options and what <c>Fit</c> learnt (output shape, clip bounds).</summary>
    public NiftiLoaderSettings Settings { get; }

    /// <summary>The settings it conforms with (the former name of <see cref="Settings"/>).</summary>
    [Obsolete("Use Settings.")]
    public NiftiLoaderSettings Parameters => Settings;

    /// <summary>The steps, with the disk cache, that conform a file.</summary>
    internal LoaderPipeline Pipeline { get; }

    /// <summary>Files decoded concurrently.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>What <c>Fit</c> saw: image count, orientations, voxel sizes, warnings.</summary>
    public NiftiLoaderFitReport FitReport { get; }

    /// <summary>Counters of the disk cache this loader uses (null when caching is off).</summary>
    public VolumeCacheStatistics? CacheStatistics => Pipeline.Cache?.Statistics;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        NiftiLoaderEstimator.CheckPathColumn(inputSchema, InputColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        int[] s = Settings.TargetShape;
        builder.AddColumn(OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, s[0], s[1], s[2]), Pipeline.Annotations());
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    /// <remarks>One row at a time (e.g. a PredictionEngine) runs through the savable form of this loader.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => SavedForm.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        NiftiLoaderEstimator.CheckPathColumn(input.Schema, InputColumnName);
        return new NiftiLoaderDataView(input, OutputColumnName, InputColumnName, SubjectColumnName, Pipeline, MaxDegreeOfParallelism, Warn);
    }

    /// <summary>A warning on the context's log (source "LoadNifti"), as <c>Fit</c> reports its findings; once per message, not once per epoch.</summary>
    private void Warn(string message)
    {
        if (!_warned.TryAdd(message, 0))
        {
            return;
        }
        using var channel = _env.Start("LoadNifti");
        channel.Warning(MessageSensitivity.None, message);
    }

    /// <summary>
    /// Why <paramref name="path"/>'s image would load but hold nothing to learn from (it is all background, or its brain
    /// could not be extracted), or null when it is fine: what <c>Fit</c>'s report and <c>Transform</c>'s warnings say
    /// of it, for callers that act on each file (e.g. <c>xai4mri predict</c> skips it). Goes through the cache.
    /// </summary>
    /// <exception cref="ImageFormatException">The file cannot be read or conformed; the message names it and the problem.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public string? Problem(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Pipeline.Prepare(path).Problem;
    }

    /// <summary>
    /// Writes the savable form (built-in ML.NET transformers around the custom mapping "Xai4Mri.LoadNifti.v1"
    /// mapping); after <c>ml.Model.Load</c> the loader comes back as that chain, with the same output column.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => SavedForm.Save(ctx);

    private ITransformer SavedForm => _savedForm ??= SavedLoaderChain.Build(this);

    private ITransformer? _savedForm;

    /// <summary>
    /// Places a map in this loader's output shape (a conformed volume, a prediction or a relevance map) back into a
    /// subject's original grid (xai4mri's <c>reverse_pruning</c>): the inverse of each conforming step in reverse
    /// order — reverse pruning, then resampling and reorientation back to the file's own voxels. The result has the
    /// file's 3-D shape and affine.
    /// </summary>
    /// <param name="path">The subject's image file, as given to the loader.</param>
    /// <param name="map">Values in the loader's output shape (C order).</param>
    /// <exception cref="ArgumentException"><paramref name="map"/> does not have the output shape's length.</exception>
    public Volume ToNative(string path, ReadOnlySpan<float> map)
    {
        if (map.Length != Settings.OutputLength)
        {
            throw new ArgumentException($"map has {map.Length} values, the loader's output shape {string.Join('x', Settings.TargetShape)} has {Settings.OutputLength}", nameof(map));
        }
        return Pipeline.Steps.ToNative(Pipeline.Prepare(path), map, path);
    }

    /// <summary>Writes <see cref="ToNative"/>'s result as a NIfTI-1 file with the subject's original affine.</summary>
    public void WriteNative(string path, ReadOnlySpan<float> map, string outputPath) => ToNative(path, map).Save(outputPath);

    /// <summary>Conformed volume of one file (through the cache), with where it was placed in the output box.</summary>
    /// <exception cref="ImageFormatException">The file cannot be read or conformed.</exception>
    public (float[] Data, PruneRecord Placement) LoadOne(string path)
    {
        var data = new float[Settings.OutputLength];
        var record = Pipeline.Conform(path, data);
        return (data, record);
    }

    /// <summary>
    /// One file reoriented (and resampled) but not pruned or scaled: the whole grid the output box is cut from
    /// (xai4mri's <c>get_unpruned_mri</c>).
    /// </summary>
    /// <exception cref="ImageFormatException">The file cannot be read or prepared.</exception>
    public Volume LoadUnpruned(string path) => Pipeline.Prepare(path).ToGridVolume(Settings.BackgroundValue);
}
