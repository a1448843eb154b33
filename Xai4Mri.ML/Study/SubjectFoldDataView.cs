using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A source view with one more column, Single, holding the fold index of each row's subject. Streams: each cursor
/// wraps a source cursor; the source's columns keep their indexes.
/// </summary>
/// <remarks>
/// ML.NET's <c>CustomMapping</c> binds its input through a compile-time class, which cannot name a subject column
/// chosen at run time. A row of a subject in no fold is an error when read, but
/// <see cref="SubjectFolds.WithFoldColumn"/> has checked every row before it makes this view.
/// </remarks>
internal sealed class SubjectFoldDataView : IDataView
{
    private readonly IDataView _source;
    private readonly DataViewSchema.Column _subject;
    private readonly Dictionary<string, int> _foldOf;

    public SubjectFoldDataView(IDataView source, DataViewSchema.Column subject, Dictionary<string, int> foldOf, string foldColumn)
    {
        _source = source;
        _subject = subject;
        _foldOf = foldOf;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        builder.AddColumn(foldColumn, NumberDataViewType.Single);
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema { get; }

    private int FoldIndex => _source.Schema.Count;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        (List<DataViewSchema.Column> source, bool fold) = SourceColumns(columnsNeeded);
        return new Cursor(this, _source.GetRowCursor(source, rand), fold);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        (List<DataViewSchema.Column> source, bool fold) = SourceColumns(columnsNeeded);
        return _source.GetRowCursorSet(source, n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c, fold)).ToArray();
    }

    /// <summary>The source columns a cursor needs: those asked for, and the subject column when the fold column is asked for.</summary>
    private (List<DataViewSchema.Column> Source, bool Fold) SourceColumns(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        var source = new List<DataViewSchema.Column>();
        bool fold = false;
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index == FoldIndex)
            {
                fold = true;
            }
            else
            {
                source.Add(_source.Schema[column.Index]);
            }
        }
        if (fold && !source.Any(c => c.Index == _subject.Index))
        {
            source.Add(_subject);
        }
        return (source, fold);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly SubjectFoldDataView _parent;
        private readonly DataViewRowCursor _input;
        private readonly bool _foldActive;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _subjectGetter;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _foldOf;
        private ReadOnlyMemory<char> _subjectValue;

        public Cursor(SubjectFoldDataView parent, DataViewRowCursor input, bool foldActive)
        {
            _parent = parent;
            _input = input;
            _foldActive = foldActive;
            _subjectGetter = foldActive ? input.GetGetter<ReadOnlyMemory<char>>(parent._subject) : null;
            // Looks up the span of the subject value without allocating a string per row.
            _foldOf = parent._foldOf.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext() => _input.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent.FoldIndex ? _foldActive : _input.IsColumnActive(_parent._source.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _parent.FoldIndex)
            {
                return _input.GetGetter<TValue>(_parent._source.Schema[column.Index]);
            }
            if (!_foldActive || typeof(TValue) != typeof(float))
            {
                throw new InvalidOperationException($"column '{column.Name}' is {(_foldActive ? "Single" : "not active in this cursor")}; asked for {typeof(TValue).Name}");
            }
            ValueGetter<float> getter = (ref float value) =>
            {
                _subjectGetter!(ref _subjectValue);
                value = _foldOf.TryGetValue(_subjectValue.Span, out int fold) ? fold
                    : throw new DatasetException(null, $"row {_input.Position + 1}: subject '{_subjectValue}' is in no fold", subjectIds: [_subjectValue.ToString()]);
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
