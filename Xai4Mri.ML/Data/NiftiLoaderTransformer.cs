using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Data;

/// <summary>
/// A fitted NIfTI loader: adds a known-size <c>Vector&lt;Single, D, H, W&gt;</c> column of conformed volumes read
/// from a column of file paths.
/// </summary>
public sealed class NiftiLoaderTransformer : ITransformer
{
    internal NiftiLoaderTransformer(string outputColumnName, string inputColumnName, string? subjectColumnName,
        NiftiLoaderParameters parameters, int parallelism, NiftiLoaderFitReport report)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        SubjectColumnName = subjectColumnName;
        Parameters = parameters;
        MaxDegreeOfParallelism = parallelism;
        FitReport = report;
    }

    /// <summary>The image column this transformer adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column of file paths it reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The subject-id column used in messages, if any.</summary>
    public string? SubjectColumnName { get; }

    /// <summary>Options and learned values (output shape, clip bounds).</summary>
    public NiftiLoaderParameters Parameters { get; }

    /// <summary>Files decoded concurrently.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>What <c>Fit</c> saw: image count, orientations, voxel sizes, warnings.</summary>
    public NiftiLoaderFitReport FitReport { get; }

    /// <summary>Counters of the disk cache this loader uses (null when caching is off).</summary>
    public VolumeCacheStatistics? CacheStatistics => Parameters.UseCache
        ? VolumeCache.For(Parameters.CacheDirectory ?? VolumeCache.DefaultDirectory).Statistics
        : null;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        NiftiLoaderEstimator.CheckPathColumn(inputSchema, InputColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        int[] s = Parameters.TargetShape;
        builder.AddColumn(OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, s[0], s[1], s[2]));
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
        return new NiftiLoaderDataView(input, OutputColumnName, InputColumnName, SubjectColumnName, Parameters, MaxDegreeOfParallelism);
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
    /// subject's original grid: reverse pruning, then reorientation (and resampling) to the file's own voxels
    /// (xai4mri's <c>reverse_pruning</c>). The result has the file's 3-D shape and affine.
    /// </summary>
    /// <param name="path">The subject's image file, as given to the loader.</param>
    /// <param name="map">Values in the loader's output shape (C order).</param>
    public Volume ToNative(string path, ReadOnlySpan<float> map)
    {
        var prepared = Parameters.Prepare(path);
        var placement = VolumeConformer.Placement(prepared, Parameters);
        var grid = new Volume(BrainBox.Unprune(map, placement, Parameters.BackgroundValue), [.. prepared.GridShape], prepared.GridAffine);
        int[] nativeShape = [(int)prepared.NativeShape[0], prepared.NativeShape.Length > 1 ? (int)prepared.NativeShape[1] : 1, prepared.NativeShape.Length > 2 ? (int)prepared.NativeShape[2] : 1];
        return Resampling.OntoGrid(grid, nativeShape, prepared.NativeAffine, Parameters.BackgroundValue);
    }

    /// <summary>Writes <see cref="ToNative"/>'s result as a NIfTI-1 file with the subject's original affine.</summary>
    public void WriteNative(string path, ReadOnlySpan<float> map, string outputPath) => ToNative(path, map).Save(outputPath);

    /// <summary>Conformed volume of one file (through the cache), with how it was placed in the output box.</summary>
    public (float[] Data, PruneRecord Placement, PreparedVolume Prepared) LoadOne(string path)
    {
        var prepared = Parameters.Prepare(path);
        var data = new float[Parameters.OutputLength];
        var record = VolumeConformer.Conform(prepared, Parameters, data, path);
        return (data, record, prepared);
    }

}
