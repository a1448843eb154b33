using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Explanations;

/// <summary>The saved explanation's first step: a constant scalar per row (<see cref="ExplainRowMarker"/>).</summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ExplainRowMarkerFactory : CustomMappingFactory<ExplainImageRow, ExplainRowMarker>
{
    /// <summary>The versioned contract name stored in model files.</summary>
    public const string ContractName = "Xai4Mri.ExplainRow.v1";

    /// <inheritdoc/>
    public override Action<ExplainImageRow, ExplainRowMarker> GetMapping() => Map;

    /// <summary>Marker = 0.</summary>
    public static void Map(ExplainImageRow input, ExplainRowMarker output) => output.Marker = 0;
}
