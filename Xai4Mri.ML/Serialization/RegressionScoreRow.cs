namespace Xai4Mri.ML.Serialization;

/// <summary>Output row of the saved regression mapping: the <c>Score</c> column ML.NET's regression evaluator reads.</summary>
internal sealed class RegressionScoreRow
{
    /// <summary>The predicted value.</summary>
    public float Score { get; set; }
}
