using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Serialization;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// The savable twin of a fitted LoadNifti, built from ML.NET's own transformers (ML.NET keeps the members a
/// third-party transformer would need to write itself into a .zip internal; docs/architecture.md, "Saving"):
/// copy the path column → add the parameters as a constant column → custom mapping "Xai4Mri.LoadNifti.v1" →
/// ONNX reshape to (D, H, W) → drop the helper columns. Its output equals the transformer's.
/// </summary>
internal static class SavedLoaderChain
{
    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    public static ITransformer Build(NiftiLoaderTransformer loader)
    {
        var ml = OnnxTempFolder.Context();
        // The JSON leaves out the cache folder: a loaded model uses the default location where it runs.
        string parameters = Convert.ToBase64String(Encoding.UTF8.GetBytes(loader.Settings.ToJson()));
        byte[] reshape = ReshapeGraph.Build(LoaderMappingOutput.ImageColumn, loader.OutputColumnName, loader.Settings.TargetShape);
        var estimator = ml.Transforms.CopyColumns(LoaderMappingInput.PathColumn, loader.InputColumnName)
            .Append(ml.Transforms.Expression(LoaderMappingInput.ConfigColumn, $"p => \"{parameters}\"", LoaderMappingInput.PathColumn))
            .Append(ml.Transforms.CustomMapping(new LoadNiftiMappingFactory().GetMapping(), LoadNiftiMappingFactory.ContractName))
            .Append(ml.Transforms.ApplyOnnxModel([loader.OutputColumnName], [LoaderMappingOutput.ImageColumn], new MemoryStream(reshape)))
            .Append(ml.Transforms.DropColumns(LoaderMappingInput.PathColumn, LoaderMappingInput.ConfigColumn, LoaderMappingOutput.ImageColumn));
        // The chain only needs the input column's schema to fit; no file is read.
        var definition = SchemaDefinition.Create(typeof(PathRow));
        definition[nameof(PathRow.Path)].ColumnName = loader.InputColumnName;
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>(), definition);
        return estimator.Fit(empty);
    }
}
