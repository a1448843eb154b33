using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// The input rows plus the conformed-volume column. Volumes are produced lazily, a bounded number of rows ahead of
/// the cursor on all cores, so that no step holds the whole dataset in memory.
/// </summary>
internal sealed class NiftiLoaderDataView : IDataView
{
    private readonly IDataView _input;
    private readonly LoaderPipeline _pipeline;
    private readonly int _pathColumn;
    private readonly int? _subjectColumn;
    private readonly int _parallelism;
    private readonly Action<string>? _warn;

    /// <summary>The view of <paramref name="input"/> with the conformed volumes; <paramref name="warn"/> hears of each image that loads but holds nothing to learn from or had NaN/Inf voxels.</summary>
    public NiftiLoaderDataView(IDataView input, string outputColumn, string pathColumn, string? subjectColumn, LoaderPipeline pipeline, int parallelism, Action<string>? warn)
    {
        _input = input;
        _warn = warn;
        _pipeline = pipeline;
        _pathColumn = input.Schema[pathColumn].Index;
        _subjectColumn = subjectColumn is null ? null : input.Schema[subjectColumn].Index;
        _parallelism = Math.Max(1, parallelism);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        var shape = pipeline.Settings.TargetShape;
        builder.AddColumn(outputColumn, new VectorDataViewType(NumberDataViewType.Single, shape[0], shape[1], shape[2]), pipeline.Annotations());
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        bool wantImage = needed.Any(c => c.Index == Schema.Count - 1);
        var inputColumns = needed.Where(c => c.Index < _input.Schema.Count).Select(c => _input.Schema[c.Index]).ToList();
        if (wantImage)
        {
            inputColumns.Add(_input.Schema[_pathColumn]);
            if (_subjectColumn is { } s)
            {
                inputColumns.Add(_input.Schema[s]);
            }
        }
        // Two cursors over the input must visit rows in the same order: give each its own generator from one seed.
        int? seed = rand?.Next();
        var main = _input.GetRowCursor(inputColumns.Distinct(), seed is { } s1 ? new Random(s1) : null);
        DataViewRowCursor? ahead = null;
        if (wantImage)
        {
            var lookahead = new List<DataViewSchema.Column> { _input.Schema[_pathColumn] };
            if (_subjectColumn is { } sc)
            {
                lookahead.Add(_input.Schema[sc]);
            }
            ahead = _input.GetRowCursor(lookahead, seed is { } s2 ? new Random(s2) : null);
        }
        return new Cursor(this, main, ahead);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private string ReadText(DataViewRow row, int column)
    {
        var type = _input.Schema[column].Type;
        if (type is TextDataViewType)
        {
            ReadOnlyMemory<char> value = default;
            row.GetGetter<ReadOnlyMemory<char>>(_input.Schema[column])(ref value);
            return value.ToString();
        }
        if (type == NumberDataViewType.Single)
        {
            float value = 0;
            row.GetGetter<float>(_input.Schema[column])(ref value);
            return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return RowName(row.Position);
    }

    /// <summary>A row without a subject id, counted from 1 as the table's data rows are (and as <c>Fit</c> names them).</summary>
    internal static string RowName(long position) => $"row {position + 1}";

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly NiftiLoaderDataView _parent;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _ahead;
        private readonly ConcurrentQueue<Task<float[]>> _queue = new();
        private readonly SemaphoreSlim _slots;
        private readonly CancellationTokenSource _cancel = new();
        private Task<float[]>? _current;
        private float[]? _currentValue;
        private bool _aheadDone;

        public Cursor(NiftiLoaderDataView parent, DataViewRowCursor main, DataViewRowCursor? ahead)
        {
            _parent = parent;
            _main = main;
            _ahead = ahead;
            _slots = new SemaphoreSlim(parent._parallelism);
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent.Schema.Count - 1 ? _ahead is not null : _main.IsColumnActive(_parent._input.Schema[column.Index]);

        public override bool MoveNext()
        {
            if (!_main.MoveNext())
            {
                return false;
            }
            if (_ahead is not null)
            {
                // Keep up to twice the parallelism in flight: enough to hide decoding, few enough to bound memory.
                while (!_aheadDone && _queue.Count < 2 * _parent._parallelism)
                {
                    if (!_ahead.MoveNext())
                    {
                        _aheadDone = true;
                        break;
                    }
                    string path = _parent.ReadText(_ahead, _parent._pathColumn);
                    string subject = _parent._subjectColumn is { } s ? _parent.ReadText(_ahead, s) : RowName(_ahead.Position);
                    _queue.Enqueue(Task.Run(() => Load(path, subject), _cancel.Token));
                }
                _queue.TryDequeue(out _current);
                _currentValue = null;
            }
            return true;
        }

        private float[] Load(string path, string subject)
        {
            _slots.Wait(_cancel.Token);
            try
            {
                var pipeline = _parent._pipeline;
                var result = new float[pipeline.Settings.OutputLength];
                PreparedVolume prepared;
                try
                {
                    prepared = pipeline.Prepare(path);
                    pipeline.Steps.Conform(prepared, result, path);
                }
                catch (ImageFormatException e)
                {
                    throw new ImageFormatException(e.FilePath, $"subject {subject}: {e.Problem}", e);
                }
                if (prepared.Problem is not null)
                {
                    _parent._warn?.Invoke($"subject {subject} ({path}) loads as background: {prepared.Problem}");
                }
                else if (prepared.NonFiniteCount > 0)
                {
                    _parent._warn?.Invoke($"subject {subject} ({path}): {prepared.NonFiniteCount} NaN/Inf voxels set to background");
                }
                return result;
            }
            finally
            {
                _slots.Release();
            }
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent._input.Schema.Count)
            {
                return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);
            }
            if (typeof(TValue) != typeof(VBuffer<float>) || _ahead is null)
            {
                throw new InvalidOperationException($"column '{column.Name}' is a vector of Single and must be requested as VBuffer<float> from an active cursor");
            }
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                if (_currentValue is null)
                {
                    try
                    {
                        _currentValue = _current!.GetAwaiter().GetResult();
                    }
                    catch (AggregateException e) when (e.InnerException is not null)
                    {
                        throw e.InnerException;
                    }
                }
                var editor = VBufferEditor.Create(ref value, _currentValue.Length);
                _currentValue.AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancel.Cancel();
                foreach (var task in _queue)
                {
                    task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                }
                _main.Dispose();
                _ahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
