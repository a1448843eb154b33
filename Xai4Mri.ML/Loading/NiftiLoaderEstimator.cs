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
            return new NiftiLoaderTransformer(_env, _outputColumnName, _inputColumnName, subjectColumn, _fitted, _parallelism,
                new NiftiLoaderFitReport(0, new Dictionary<string, int>(), new Dictionary<string, int>(), [0, 0, 0], [], [], [], [], [], []));
        }
        var rows = ReadRows(input, _inputColumnName, subjectColumn);
        var (images, failures) = LoaderFit.Summarize(rows, new LoaderPipeline(_settings), _parallelism);
        if (failures.Count > 0)
        {
            // The first bad row in table order, so that the message does not depend on thread timing.
            throw LoaderFit.Failure(failures);
        }
        if (images.Count == 0)
        {
            throw new InvalidOperationException($"LoadNifti: column '{_inputColumnName}' has no rows to fit on");
        }
        var (fitted, report) = LoaderFit.From(images, _settings, _requestedShape);
        using (var channel = _env.Start("LoadNifti"))
        {
            foreach (string w in report.Warnings)
            {
                channel.Warning(MessageSensitivity.None, w);
            }
        }
        return new NiftiLoaderTransformer(_env, _outputColumnName, _inputColumnName, subjectColumn, fitted, _parallelism, report);
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

    /// <summary>Each row's subject (or "row N") and file, in table order.</summary>
    internal static List<(string Subject, string Path)> ReadRows(IDataView input, string inputColumnName, string? subjectColumn)
    {
        var rows = new List<(string, string)>();
        var pathCol = input.Schema[inputColumnName];
        var subjectCol = subjectColumn is null ? (DataViewSchema.Column?)null : input.Schema[subjectColumn];
        var columns = subjectCol is { } sc ? new[] { pathCol, sc } : [pathCol];
        using var cursor = input.GetRowCursor(columns);
        var pathGetter = cursor.GetGetter<ReadOnlyMemory<char>>(pathCol);
        ValueGetter<ReadOnlyMemory<char>>? subjectGetter = subjectCol is { } s2 && s2.Type is TextDataViewType ? cursor.GetGetter<ReadOnlyMemory<char>>(s2) : null;
        ReadOnlyMemory<char> path = default, subject = default;
        while (cursor.MoveNext())
        {
            pathGetter(ref path);
            string id = NiftiLoaderDataView.RowName(cursor.Position);
            if (subjectGetter is not null)
            {
                subjectGetter(ref subject);
                id = subject.ToString();
            }
            rows.Add((id, path.ToString()));
        }
        return rows;
    }
}
