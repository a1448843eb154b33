using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The rows of a source view whose text subject column holds one of a set of ids. Streams: each cursor wraps a
/// source cursor and skips other rows, nothing is copied.
/// </summary>
/// <remarks>
/// ML.NET's <c>FilterByCustomPredicate</c> binds the column through a compile-time class, which cannot name a
/// column chosen at run time; a column filter needs numbers. The subject column is activated in the source cursor
/// even when the caller did not ask for it, because the filter reads it.
/// </remarks>
internal sealed class SubjectFilterDataView : IDataView
{
    private readonly IDataView _source;
    private readonly DataViewSchema.Column _subject;
    private readonly HashSet<string> _keep;

    public SubjectFilterDataView(IDataView source, DataViewSchema.Column subject, IEnumerable<string> keep)
    {
        if (subject.Type is not TextDataViewType)
        {
            throw new ArgumentException($"subject column '{subject.Name}' is {subject.Type}, not text", nameof(subject));
        }
        _source = source;
        _subject = subject;
        _keep = new HashSet<string>(keep, StringComparer.Ordinal);
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema => _source.Schema;

    /// <summary>Null: the count is only known after a pass, and ML.NET accepts views that do not know it.</summary>
    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(WithSubject(columnsNeeded), rand), _subject, _keep);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _source.GetRowCursorSet(WithSubject(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, _subject, _keep)).ToArray();

    private List<DataViewSchema.Column> WithSubject(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        var columns = columnsNeeded.ToList();
        if (!columns.Any(c => c.Index == _subject.Index))
        {
            columns.Add(_subject);
        }
        return columns;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<ReadOnlyMemory<char>> _subjectGetter;
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _keep;
        private ReadOnlyMemory<char> _subjectValue;
        private long _position = -1;

        public Cursor(DataViewRowCursor input, DataViewSchema.Column subject, HashSet<string> keep)
        {
            _input = input;
            _subjectGetter = input.GetGetter<ReadOnlyMemory<char>>(subject);
            // Looks up the span of the subject value without allocating a string per row.
            _keep = keep.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override DataViewSchema Schema => _input.Schema;

        public override long Position => _position;

        public override long Batch => _input.Batch;

        public override bool MoveNext()
        {
            while (_input.MoveNext())
            {
                _subjectGetter(ref _subjectValue);
                if (_keep.Contains(_subjectValue.Span))
                {
                    _position++;
                    return true;
                }
            }
            _position = -1;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

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
