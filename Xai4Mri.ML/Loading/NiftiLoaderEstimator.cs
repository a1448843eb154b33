using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// Loads MRI files named in a text column into a known-size image column: reorient, optionally resample, prune to a
/// box around the brain, clip and normalise (xai4mri's data loader as an ML.NET estimator). Create it with
/// <c>ml.Transforms.LoadNifti(...)</c>.
/// </summary>
public sealed class NiftiLoaderEstimator : IEstimator<NiftiLoaderTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly string? _subjectColumnName;
    private readonly int _parallelism;
    private readonly int[]? _requestedShape;
    private readonly NiftiLoaderSettings _settings;
    private readonly NiftiLoaderSettings? _fitted;

    /// <summary>A loader that learns its box and clip bounds from the training images.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal NiftiLoaderEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, NiftiLoaderOptions options)
    {
        _env = env;
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        // Copied and checked now, so that a bad option fails here and later changes to the object change nothing.
        _settings = NiftiLoaderSettings.From(options);
        _subjectColumnName = options.SubjectColumnName;
        _parallelism = options.MaxDegreeOfParallelism;
        _requestedShape = options.TargetShape is { } t ? [.. t] : null;
    }

    /// <summary>A loader with settings a fit already learnt (e.g. a saved model's): <c>Fit</c> reads no image.</summary>
    internal NiftiLoaderEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, NiftiLoaderSettings fitted)
        : this(env, outputColumnName, inputColumnName, new NiftiLoaderOptions())
    {
        _fitted = fitted;
    }

    /// <summary>Reads every training image once (through the cache) to learn the output shape and clip bounds.</summary>
    /// <exception cref="ImageFormatException">A file cannot be read; the message names the subject and the path.</exception>
    public NiftiLoaderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckPathColumn(input.Schema, _inputColumnName);
        string? subjectColumn = SubjectColumns.Find(input.Schema, _subjectColumnName);
        if (_fitted is not null)
        {
            return new NiftiLoaderTransformer(_outputColumnName, _inputColumnName, subjectColumn, _fitted, _parallelism,
                new NiftiLoaderFitReport(0, new Dictionary<string, int>(), new Dictionary<string, int>(), [0, 0, 0], [], [], [], []));
        }
        var rows = ReadRows(input, subjectColumn);
        var draft = new LoaderPipeline(_settings);
        var seen = new ConcurrentBag<(string Subject, string Path, PreparedVolume Volume, (float Min, float Max)? Clip)>();
        var failures = new ConcurrentBag<(int Row, ImageFormatException Error)>();
        Parallel.ForEach(rows.Select((row, index) => (row, index)), new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, item =>
        {
            var (row, index) = item;
            PreparedVolume prepared;
            try
            {
                prepared = draft.Prepare(row.Path);
            }
            catch (ImageFormatException e)
            {
                failures.Add((index, new ImageFormatException(e.FilePath, $"subject {row.Subject}: {e.Problem}", e)));
                return;
            }
            var clip = _settings.Normalization == IntensityNormalization.Dataset
                ? IntensityScaling.ClipRange(prepared.BoxData, _settings.ClipPercentile, _settings.BackgroundValue)
                : null;
            seen.Add((row.Subject, row.Path, new PreparedVolume([], prepared.BoxShape, prepared.BoxStart, prepared.GridShape,
                prepared.GridAffine, prepared.NativeShape, prepared.NativeAffine, prepared.NonFiniteCount, prepared.BorderNonZeroFraction), clip));
        });
        if (!failures.IsEmpty)
        {
            // Report the first bad row in table order, so that the message does not depend on thread timing.
            var first = failures.OrderBy(f => f.Row).First().Error;
            if (failures.Count == 1)
            {
                throw first;
            }
            throw new ImageFormatException(first.FilePath, $"{first.Problem} (and {failures.Count - 1} more unreadable files: {string.Join(", ", failures.OrderBy(f => f.Row).Skip(1).Take(5).Select(f => f.Error.FilePath))})", first);
        }
        var images = seen.OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        if (images.Count == 0)
        {
            throw new InvalidOperationException($"LoadNifti: column '{_inputColumnName}' has no rows to fit on");
        }
        var extent = new int[3];
        foreach (var img in images)
        {
            for (int a = 0; a < 3; a++)
            {
                extent[a] = Math.Max(extent[a], _settings.Prune == PruneMode.None ? img.Volume.GridShape[a] : img.Volume.BoxShape[a]);
            }
        }
        int[] target = _requestedShape ?? (_settings.Prune == PruneMode.Cube ? [extent.Max(), extent.Max(), extent.Max()] : extent);
        var warnings = new List<string>();
        var cut = images.Where(i => _settings.Prune != PruneMode.None && Enumerable.Range(0, 3).Any(a => i.Volume.BoxShape[a] > target[a])).Select(i => i.Subject).ToList();
        if (cut.Count > 0)
        {
            warnings.Add($"{cut.Count} of {images.Count} brains are larger than the output box {string.Join('x', target)} and will be cut (largest brain {string.Join('x', extent)}): {string.Join(", ", cut.Take(10))}{(cut.Count > 10 ? ", …" : "")}");
        }
        var nonFinite = images.Where(i => i.Volume.NonFiniteCount > 0).Select(i => $"{i.Subject} ({i.Volume.NonFiniteCount} voxels)").ToList();
        if (nonFinite.Count > 0)
        {
            warnings.Add($"NaN/Inf voxels set to background in {nonFinite.Count} images: {string.Join(", ", nonFinite.Take(10))}");
        }
        var notExtracted = images.Where(i => i.Volume.BorderNonZeroFraction > VolumePipeline.NotBrainExtractedBorderFraction).Select(i => i.Subject).ToList();
        if (notExtracted.Count > 0)
        {
            warnings.Add($"{notExtracted.Count} images have a non-zero background (brain extraction expected, as xai4mri's models assume): {string.Join(", ", notExtracted.Take(10))}");
        }
        var orientations = Histogram(images.Select(i => Orientation.AxisCodes(i.Volume.NativeAffine)));
        var voxelSizes = Histogram(images.Select(i => VoxelSizeKey(i.Volume.NativeAffine.ColumnNorms())));
        if (orientations.Count > 1)
        {
            warnings.Add($"mixed orientations ({string.Join(", ", orientations.Select(kv => $"{kv.Key}: {kv.Value}"))}); all are reoriented to {_settings.Orientation}");
        }
        if (voxelSizes.Count > 1)
        {
            warnings.Add($"mixed voxel sizes ({string.Join(", ", voxelSizes.Select(kv => $"{kv.Key} mm: {kv.Value}"))}){(_settings.VoxelSize is null ? "; set VoxelSize to resample them to one size" : $"; all are resampled to {string.Join('×', _settings.VoxelSize)} mm")}");
        }
        float clipMin = 0, clipMax = 0;
        var clips = images.Where(i => i.Clip is not null).Select(i => i.Clip!.Value).ToList();
        if (clips.Count > 0)
        {
            // xai4mri clips every image at the mean of the per-image bounds.
            clipMin = (float)clips.Average(c => c.Min);
            clipMax = (float)clips.Average(c => c.Max);
        }
        using (var channel = _env.Start("LoadNifti"))
        {
            foreach (string w in warnings)
            {
                channel.Warning(MessageSensitivity.None, w);
            }
        }
        var report = new NiftiLoaderFitReport(images.Count, orientations, voxelSizes, extent, cut,
            images.Where(i => i.Volume.NonFiniteCount > 0).Select(i => i.Subject).ToList(), notExtracted, warnings);
        return new NiftiLoaderTransformer(_outputColumnName, _inputColumnName, subjectColumn, _settings.Fitted(target, clipMin, clipMax),
            _parallelism, report);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = inputSchema.FirstOrDefault(c => c.Name == _inputColumnName);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"LoadNifti: input column '{_inputColumnName}' not found");
        }
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"LoadNifti: column '{_inputColumnName}' must hold text (file paths)");
        }
        var columns = inputSchema.Where(c => c.Name != _outputColumnName).ToList();
        columns.Add(MLNetInternals.SchemaColumn(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single));
        return new SchemaShape(columns);
    }

    internal static void CheckPathColumn(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"LoadNifti: input column '{name}' not found");
        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"LoadNifti: column '{name}' must hold text (file paths), not {column.Type}");
        }
    }

    /// <summary>Voxel sizes as reported and grouped: rounded to 0.01 mm, "x×y×z".</summary>
    internal static string VoxelSizeKey(IEnumerable<double> voxelSize) =>
        string.Join('×', voxelSize.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)));

    private List<(string Subject, string Path)> ReadRows(IDataView input, string? subjectColumn)
    {
        var rows = new List<(string, string)>();
        var pathCol = input.Schema[_inputColumnName];
        var subjectCol = subjectColumn is null ? (DataViewSchema.Column?)null : input.Schema[subjectColumn];
        var columns = subjectCol is { } sc ? new[] { pathCol, sc } : [pathCol];
        using var cursor = input.GetRowCursor(columns);
        var pathGetter = cursor.GetGetter<ReadOnlyMemory<char>>(pathCol);
        ValueGetter<ReadOnlyMemory<char>>? subjectGetter = subjectCol is { } s2 && s2.Type is TextDataViewType ? cursor.GetGetter<ReadOnlyMemory<char>>(s2) : null;
        ReadOnlyMemory<char> path = default, subject = default;
        while (cursor.MoveNext())
        {
            pathGetter(ref path);
            string id = $"row {cursor.Position + 1}";
            if (subjectGetter is not null)
            {
                subjectGetter(ref subject);
                id = subject.ToString();
            }
            rows.Add((id, path.ToString()));
        }
        return rows;
    }

    private static Dictionary<string, int> Histogram(IEnumerable<string> values) =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
}
