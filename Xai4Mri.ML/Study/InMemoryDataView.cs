using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A read-only <see cref="IDataView"/> over columns held in memory, with a schema decided at run time.
/// </summary>
/// <remarks>
/// ML.NET's own builder for this (<c>ArrayDataViewBuilder</c>) is internal, and <c>LoadFromEnumerable</c> needs a
/// compile-time class (or a schema definition bound to one), which a study table with arbitrary columns does not have.
/// Rows are served in order; the view does not shuffle (<see cref="CanShuffle"/> is false), so ML.NET shuffles it
/// with its own pooled shuffler when asked to.
/// </remarks>
internal sealed class InMemoryDataView : IDataView
{
    private readonly InMemoryColumn[] _columns;
    private readonly int _rowCount;

    /// <summary>Creates the view; all columns must have the same length and distinct names.</summary>
    public InMemoryDataView(IEnumerable<InMemoryColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns.ToArray();
        var builder = new DataViewSchema.Builder();
        var names = new HashSet<string>(StringComparer.Ordinal);
        _rowCount = _columns.Length == 0 ? 0 : _columns[0].Values.Length;
        foreach (InMemoryColumn column in _columns)
        {
            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"column '{column.Name}' appears twice", nameof(columns));
            }
            if (column.Values.Length != _rowCount)
            {
                throw new ArgumentException($"column '{column.Name}' has {column.Values.Length} values, the first column {_rowCount}", nameof(columns));
            }
            builder.AddColumn(column.Name, column.Type);
        }
        Schema = builder.ToSchema();
    }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public long? GetRowCount() => _rowCount;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[_columns.Length];
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            active[CheckColumn(column)] = true;
        }
        return new Cursor(this, active);
    }

    /// <inheritdoc/>
    /// <remarks>One cursor: the rows are in memory, so splitting the work would gain nothing.</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The index of <paramref name="column"/> after checking that it is one of this schema's columns.</summary>
    private int CheckColumn(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _columns.Length || Schema[column.Index].Name != column.Name)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"column '{column.Name}' (index {column.Index}) is not in this data view's schema");
        }
        return column.Index;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly InMemoryDataView _view;
        private readonly bool[] _active;
        private long _position = -1;
        private bool _done;

        public Cursor(InMemoryDataView view, bool[] active)
        {
            _view = view;
            _active = active;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        /// <summary>Always 0: a single cursor serves every row, in order.</summary>
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_done)
            {
                return false;
            }
            if (_position + 1 < _view._rowCount)
            {
                _position++;
                return true;
            }
            _done = true;
            _position = -1;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[_view.CheckColumn(column)];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int index = _view.CheckColumn(column);
            if (!_active[index])
            {
                throw new InvalidOperationException($"column '{column.Name}' was not requested when this cursor was created");
            }
            InMemoryColumn source = _view._columns[index];
            // Exact type match: array covariance would otherwise let e.g. a string[] pass as object[].
            if (typeof(TValue) != source.Type.RawType || source.Values is not TValue[] values)
            {
                throw new InvalidOperationException($"column '{column.Name}' holds {source.Type} ({source.Type.RawType.Name}), not {typeof(TValue).Name}");
            }
            return (ref TValue value) =>
            {
                EnsureOnRow();
                value = values[_position];
            };
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) =>
        {
            EnsureOnRow();
            value = new DataViewRowId((ulong)_position, 0);
        };

        protected override void Dispose(bool disposing)
        {
            _done = true;
            _position = -1;
            base.Dispose(disposing);
        }

        private void EnsureOnRow()
        {
            if (_position < 0)
            {
                throw new InvalidOperationException("the cursor is not on a row (call MoveNext first, and only while it returns true)");
            }
        }
    }
}
