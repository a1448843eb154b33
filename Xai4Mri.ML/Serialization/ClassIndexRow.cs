using Microsoft.ML.Data;

namespace Xai4Mri.ML.Serialization;

/// <summary>Output row of the saved arg-max mapping: the 1-based index of the most probable class (0 when undefined).</summary>
internal sealed class ClassIndexRow
{
    /// <summary>Column name of the class index inside a saved chain.</summary>
    public const string IndexColumn = "__xai4mri_class";

    /// <summary>1-based index of the highest score, as ML.NET key values count; 0 when the scores are all NaN.</summary>
    [ColumnName(IndexColumn)]
    public uint Index { get; set; }
}
