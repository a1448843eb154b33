using Microsoft.ML.Data;

namespace Xai4Mri.ML.Study;

/// <summary>One column of a loaded dataset: its name, its type and its values, one per row.</summary>
public sealed class DatasetColumn
{
    private readonly string[] _values;
    private readonly float[]? _numbers;

    internal DatasetColumn(string name, string[] values, float[]? numbers)
    {
        Name = name;
        _values = values;
        _numbers = numbers;
    }

    /// <summary>The column name, as in the file (trimmed) and in the <see cref="Microsoft.ML.IDataView"/>.</summary>
    public string Name { get; }

    /// <summary>Number (<see cref="float"/>) or text.</summary>
    public DatasetColumnKind Kind => _numbers is null ? DatasetColumnKind.Text : DatasetColumnKind.Number;

    /// <summary>The values as written in the file, one per row (Path: the resolved absolute path; BIDS entities: from the file name).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>The parsed values of a <see cref="DatasetColumnKind.Number"/> column (NaN where missing); null for text.</summary>
    public IReadOnlyList<float>? Numbers => _numbers;

    /// <summary>The column as ML.NET sees it: Single for numbers, text otherwise.</summary>
    internal InMemoryColumn ToInMemoryColumn() =>
        _numbers is null ? InMemoryColumn.Text(Name, _values) : InMemoryColumn.Create(Name, NumberDataViewType.Single, _numbers);
}
