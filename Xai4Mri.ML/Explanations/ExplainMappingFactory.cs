using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// The code behind ExplainMriNet, live and saved: ML.NET finds it by its contract name when a model .zip is loaded,
/// and it explains each row's image with the network and options carried in the row's configuration column.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ExplainMappingFactory : CustomMappingFactory<ExplainMappingInput, ExplainMappingOutput>
{
    /// <summary>The versioned contract name stored in model files; a new incompatible mapping gets a new name.</summary>
    public const string ContractName = "Xai4Mri.Explain.v1";

    /// <inheritdoc/>
    public override Action<ExplainMappingInput, ExplainMappingOutput> GetMapping() => Map;

    /// <summary>One row's relevance map.</summary>
    /// <exception cref="ArgumentException">The image does not have the network's input size (both sizes are named).</exception>
    public static void Map(ExplainMappingInput input, ExplainMappingOutput output)
    {
        var config = ExplainConfig.Get(input.Config);
        // RelevanceMaps switches the network to evaluation mode while it runs: one row at a time per network.
        lock (config)
        {
            output.Relevance = RelevanceMaps.Compute(config.Model, input.Image, 1, config.Options)[0].Values;
        }
    }
}
