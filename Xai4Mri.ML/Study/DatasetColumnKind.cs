namespace Xai4Mri.ML.Study;

/// <summary>How a dataset column is typed in the <see cref="Microsoft.ML.IDataView"/>.</summary>
public enum DatasetColumnKind
{
    /// <summary><see cref="float"/> (ML.NET <c>Single</c>); missing values are NaN.</summary>
    Number,

    /// <summary>Text (ML.NET <c>ReadOnlyMemory&lt;char&gt;</c>), values as written in the file.</summary>
    Text,
}
