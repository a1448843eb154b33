using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Serialization;

/// <summary>Saved-model code that finds the most probable class of a multiclass <c>Score</c> vector.</summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ClassIndexMappingFactory : CustomMappingFactory<ScoreRow, ClassIndexRow>
{
    /// <summary>The versioned contract name stored in model files.</summary>
    public const string ContractName = "Xai4Mri.ClassIndex.v1";

    /// <inheritdoc/>
    public override Action<ScoreRow, ClassIndexRow> GetMapping() => Map;

    /// <summary>1-based arg-max (the first on ties, as ML.NET's multiclass predictors); 0 when every score is NaN.</summary>
    public static void Map(ScoreRow input, ClassIndexRow output)
    {
        uint best = 0;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < input.Score.Length; i++)
        {
            if (input.Score[i] > bestValue || (best == 0 && input.Score[i] == bestValue))
            {
                best = (uint)i + 1;
                bestValue = input.Score[i];
            }
        }
        output.Index = best;
    }
}
