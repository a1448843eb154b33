using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Serialization;

/// <summary>
/// Saved-model code that turns a two-class softmax output (p₀, p₁) into ML.NET's binary columns: <c>Score</c> (log-odds),
/// <c>Probability</c> (p₁) and <c>PredictedLabel</c>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class BinaryScoreMappingFactory : CustomMappingFactory<NetworkOutputRow, BinaryScoreRow>
{
    /// <summary>The versioned contract name stored in model files.</summary>
    public const string ContractName = "Xai4Mri.BinaryScore.v1";

    // Keeps the log-odds finite when the softmax saturates to exactly 0 or 1 in float32.
    private const double Tiny = 1e-30;

    /// <inheritdoc/>
    public override Action<NetworkOutputRow, BinaryScoreRow> GetMapping() => Map;

    /// <summary>Maps one row; an output that is not two probabilities gives NaN scores.</summary>
    public static void Map(NetworkOutputRow input, BinaryScoreRow output)
    {
        if (input.Output.Length != 2)
        {
            output.Score = output.Probability = float.NaN;
            output.PredictedLabel = false;
            return;
        }
        double p0 = input.Output[0], p1 = input.Output[1];
        output.Probability = (float)p1;
        output.Score = (float)(Math.Log(Math.Max(p1, Tiny)) - Math.Log(Math.Max(p0, Tiny)));
        output.PredictedLabel = p1 > p0;
    }
}
