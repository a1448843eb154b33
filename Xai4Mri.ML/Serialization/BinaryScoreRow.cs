namespace Xai4Mri.ML.Serialization;

/// <summary>Output row of the saved binary mapping: the three columns ML.NET's binary evaluator reads.</summary>
internal sealed class BinaryScoreRow
{
    /// <summary>Log-odds of the positive class, log(p₁ / p₀), the margin of the network's two-class softmax.</summary>
    public float Score { get; set; }

    /// <summary>Probability of the positive class.</summary>
    public float Probability { get; set; }

    /// <summary>True when the positive class is the more probable one.</summary>
    public bool PredictedLabel { get; set; }
}
