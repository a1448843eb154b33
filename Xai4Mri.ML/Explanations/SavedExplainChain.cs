using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Serialization;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// ExplainMriNet as a chain of ML.NET's own transformers, the form it runs in and the one <c>ml.Model.Save</c> writes
/// (docs/architecture.md, "Saving"): copy the image → a row marker (custom mapping "Xai4Mri.ExplainRow.v1") → the
/// configuration as a constant text column → custom mapping "Xai4Mri.Explain.v1" (one map per row, computed when a
/// cursor asks for it) → ONNX reshape to the image's shape → drop the helper columns.
/// </summary>
internal static class SavedExplainChain
{
    private sealed class ImageRow
    {
        public float[] Image { get; set; } = [];
    }

    public static ITransformer Build(string config, string imageColumnName, string outputColumnName, int[] imageShape)
    {
        var ml = OnnxTempFolder.Context();
        byte[] reshape = ReshapeGraph.Build(ExplainMappingOutput.MapColumn, outputColumnName, imageShape);
        var estimator = ml.Transforms.CopyColumns(ExplainMappingInput.ImageColumn, imageColumnName)
            .Append(ml.Transforms.CustomMapping(new ExplainRowMarkerFactory().GetMapping(), ExplainRowMarkerFactory.ContractName))
            .Append(ml.Transforms.Expression(ExplainMappingInput.ConfigColumn, $"m => \"{config}\"", ExplainRowMarker.Column))
            .Append(ml.Transforms.CustomMapping(new ExplainMappingFactory().GetMapping(), ExplainMappingFactory.ContractName))
            .Append(ml.Transforms.ApplyOnnxModel([outputColumnName], [ExplainMappingOutput.MapColumn], new MemoryStream(reshape)))
            .Append(ml.Transforms.DropColumns(ExplainMappingInput.ImageColumn, ExplainRowMarker.Column, ExplainMappingInput.ConfigColumn, ExplainMappingOutput.MapColumn));
        // Fitting needs the image column's schema only; no map is computed.
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Image)].ColumnName = imageColumnName;
        definition[nameof(ImageRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, imageShape);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), definition));
    }
}
