using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// The input rows plus the relevance column, for a fitted ExplainMriNet: each map is computed when its row's getter is
/// first called, on the cursor's own thread, and forgotten when the cursor moves on. One cursor per request (no
/// cursor set): ML.NET's splitter, which a custom mapping gets, reads rows ahead of the slow maps and would hold
/// hundreds of images at once.
/// </summary>
internal sealed class ExplainDataView : IDataView
{
    private readonly IDataView _input;
    private readonly int _imageColumn;
    private readonly ExplainConfig _config;

    public ExplainDataView(IDataView input, string imageColumnName, string outputColumnName, int[] shape, ExplainConfig config)
    {
        _input = input;
        _imageColumn = input.Schema[imageColumnName].Index;
        _config = config;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        builder.AddColumn(outputColumnName, new VectorDataViewType(NumberDataViewType.Single, shape));
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema { get; }

    private int MapColumn => Schema.Count - 1;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        bool wantMap = needed.Any(c => c.Index == MapColumn);
        var inputColumns = needed.Where(c => c.Index < _input.Schema.Count).Select(c => _input.Schema[c.Index]).ToList();
        if (wantMap)
        {
            inputColumns.Add(_input.Schema[_imageColumn]);
        }
        return new Cursor(this, _input.GetRowCursor(inputColumns.Distinct(), rand), wantMap);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ExplainDataView _parent;
        private readonly DataViewRowCursor _input;
        private readonly bool _wantMap;
        private readonly ValueGetter<VBuffer<float>>? _image;
        private VBuffer<float> _imageBuffer;
        private float[]? _map;
        private long _mapPosition = -1;

        public Cursor(ExplainDataView parent, DataViewRowCursor input, bool wantMap)
        {
            _parent = parent;
            _input = input;
            _wantMap = wantMap;
            _image = wantMap ? input.GetGetter<VBuffer<float>>(input.Schema[parent._imageColumn]) : null;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent.MapColumn ? _wantMap : _input.IsColumnActive(_input.Schema[column.Index]);

        public override bool MoveNext()
        {
            _map = null;
            return _input.MoveNext();
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _parent.MapColumn)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }
            if (!_wantMap)
            {
                throw new InvalidOperationException($"column '{column.Name}' was not asked for when the cursor was made");
            }
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var map = Map();
                var editor = VBufferEditor.Create(ref value, map.Length);
                map.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"column '{column.Name}' is {column.Type}; ask for VBuffer<Single>, not {typeof(TValue).Name}");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
            base.Dispose(disposing);
        }

        /// <summary>This row's map, computed on the first call for the row.</summary>
        private float[] Map()
        {
            if (_map is null || _mapPosition != _input.Position)
            {
                _image!(ref _imageBuffer);
                var image = _imageBuffer.DenseValues().ToArray();
                lock (_parent._config)
                {
                    _map = RelevanceMaps.Compute(_parent._config.Model, image, 1, _parent._config.Options)[0].Values;
                }
                _mapPosition = _input.Position;
            }
            return _map;
        }
    }
}
