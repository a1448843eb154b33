using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// A scalar per row for the configuration's constant column to hang on: ML.NET's <c>Expression</c> needs an input
/// column and maps a vector input element by element, so the image itself cannot carry the constant.
/// </summary>
internal sealed class ExplainRowMarker
{
    /// <summary>Column name of the marker.</summary>
    public const string Column = "__xai4mri_explain_row";

    /// <summary>Always 0.</summary>
    [ColumnName(Column)]
    public float Marker { get; set; }
}
