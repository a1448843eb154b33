using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML.Transforms;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// The code behind a saved LoadNifti: ML.NET finds it by its contract name when a model .zip is loaded, and it
/// conforms each row's file with the parameters carried in the row.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class LoadNiftiMappingFactory : CustomMappingFactory<LoaderMappingInput, LoaderMappingOutput>
{
    /// <summary>The versioned contract name stored in model files; a new incompatible mapping gets a new name.</summary>
    public const string ContractName = "Xai4Mri.LoadNifti.v1";

    // The parameters text is the same for every row of a model: parse it once.
    private static readonly ConcurrentDictionary<string, LoaderPipeline> Parsed = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public override Action<LoaderMappingInput, LoaderMappingOutput> GetMapping() => Map;

    /// <summary>Conforms one row's file.</summary>
    public static void Map(LoaderMappingInput input, LoaderMappingOutput output)
    {
        var pipeline = Parsed.GetOrAdd(input.Parameters, p => new LoaderPipeline(NiftiLoaderSettings.FromJson(Encoding.UTF8.GetString(Convert.FromBase64String(p)))));
        var data = output.Image.Length == pipeline.Settings.OutputLength ? output.Image : new float[pipeline.Settings.OutputLength];
        pipeline.Conform(input.Path, data);
        output.Image = data;
    }
}
