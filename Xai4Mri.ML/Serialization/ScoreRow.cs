using Microsoft.ML.Data;

namespace Xai4Mri.ML.Serialization;

/// <summary>Input row of the saved arg-max mapping: a multiclass <c>Score</c> vector.</summary>
internal sealed class ScoreRow
{
    /// <summary>Class probabilities.</summary>
    [VectorType]
    public float[] Score { get; set; } = [];
}
