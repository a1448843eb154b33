namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// What a label column holds — Single: a regression target, Boolean: two classes, a key: classes — and so which of
/// ML.NET's evaluators a fitted network's output columns are made for.
/// </summary>
public enum LabelKind
{
    /// <summary><c>Score</c> (Single), read by <c>ml.Regression.Evaluate</c>.</summary>
    Regression,

    /// <summary><c>Score</c> (log-odds), <c>Probability</c> and <c>PredictedLabel</c> (Boolean), read by <c>ml.BinaryClassification.Evaluate</c>.</summary>
    BinaryClassification,

    /// <summary><c>Score</c> (class probabilities) and <c>PredictedLabel</c> (key), read by <c>ml.MulticlassClassification.Evaluate</c>.</summary>
    MulticlassClassification,
}
