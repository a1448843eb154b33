using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Serialization;

/// <summary>
/// Saved-model code that turns a regression network's one-element output into the scalar <c>Score</c> ML.NET's
/// evaluators need (an ONNX output is always a vector column).
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class RegressionScoreMappingFactory : CustomMappingFactory<NetworkOutputRow, RegressionScoreRow>
{
    /// <summary>The versioned contract name stored in model files.</summary>
    public const string ContractName = "Xai4Mri.RegressionScore.v1";

    /// <inheritdoc/>
    public override Action<NetworkOutputRow, RegressionScoreRow> GetMapping() => Map;

    /// <summary>Score = the single output (NaN when the output is empty).</summary>
    public static void Map(NetworkOutputRow input, RegressionScoreRow output) =>
        output.Score = input.Output.Length == 1 ? input.Output[0] : float.NaN;
}
