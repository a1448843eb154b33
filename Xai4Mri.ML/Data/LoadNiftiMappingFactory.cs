using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML.Transforms;
using Xai4Mri.ML.Data;

namespace Xai4Mri.ML.Data;

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
    private static readonly ConcurrentDictionary<string, NiftiLoaderParameters> Parsed = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public override Action<LoaderMappingInput, LoaderMappingOutput> GetMapping() => Map;

    /// <summary>Conforms one row's file.</summary>
    public static void Map(LoaderMappingInput input, LoaderMappingOutput output)
    {
        var parameters = Parsed.GetOrAdd(input.Parameters, p => NiftiLoaderParameters.FromJson(Encoding.UTF8.GetString(Convert.FromBase64String(p))));
        var data = output.Image.Length == parameters.OutputLength ? output.Image : new float[parameters.OutputLength];
        VolumeConformer.Conform(parameters.Prepare(input.Path), parameters, data, input.Path);
        output.Image = data;
    }
}
