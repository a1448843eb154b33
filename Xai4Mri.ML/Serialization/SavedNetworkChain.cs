using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Serialization;

/// <summary>
/// The savable form of a fitted network, built from ML.NET's own transformers (shared/design.md section 4): the
/// network as an embedded ONNX graph, then the stateless score mapping for the prediction kind, then (multiclass) a
/// value mapping from class index to a key column whose values are the class names. Its output columns are the ones
/// ML.NET's evaluators read.
/// </summary>
internal static class SavedNetworkChain
{
    private sealed class ImageRow
    {
        public float[] Image { get; set; } = [];
    }

    public static ITransformer Build(MriNetModel model, string featureColumnName, PredictionKind kind)
    {
        var ml = new MLContext();
        bool multiclass = kind == PredictionKind.MulticlassClassification;
        string networkOutput = multiclass ? "Score" : NetworkOutputRow.OutputColumn;
        byte[] graph = ScoringGraph.Build(model, featureColumnName, networkOutput);
        IEstimator<ITransformer> chain = ml.Transforms.ApplyOnnxModel([networkOutput], [featureColumnName], new MemoryStream(graph));
        chain = kind switch
        {
            PredictionKind.Regression => chain
                .Append(ml.Transforms.CustomMapping(new RegressionScoreMappingFactory().GetMapping(), RegressionScoreMappingFactory.ContractName))
                .Append(ml.Transforms.DropColumns(networkOutput)),
            PredictionKind.BinaryClassification => chain
                .Append(ml.Transforms.CustomMapping(new BinaryScoreMappingFactory().GetMapping(), BinaryScoreMappingFactory.ContractName))
                .Append(ml.Transforms.DropColumns(networkOutput)),
            _ => chain
                .Append(ml.Transforms.CustomMapping(new ClassIndexMappingFactory().GetMapping(), ClassIndexMappingFactory.ContractName))
                .Append(ml.Transforms.Conversion.MapValue("PredictedLabel",
                    model.Task.ClassNames.Select((name, i) => new KeyValuePair<uint, string>((uint)i + 1, name)),
                    ClassIndexRow.IndexColumn, treatValuesAsKeyType: true))
                .Append(ml.Transforms.DropColumns(ClassIndexRow.IndexColumn)),
        };
        return FitOnSchema(ml, chain, model, featureColumnName);
    }

    /// <summary>
    /// The savable form of a frozen feature extractor: the layers 0 to <paramref name="lastLayer"/> as an embedded
    /// ONNX graph writing the known-size vector column <paramref name="outputColumnName"/> of <paramref name="outputShape"/>.
    /// </summary>
    public static ITransformer BuildFeatures(MriNetModel model, string featureColumnName, string outputColumnName, int lastLayer, bool globalAveragePool, int[] outputShape)
    {
        var ml = new MLContext();
        byte[] graph = ScoringGraph.BuildFeatures(model, featureColumnName, outputColumnName, lastLayer, globalAveragePool, outputShape);
        return FitOnSchema(ml, ml.Transforms.ApplyOnnxModel([outputColumnName], [featureColumnName], new MemoryStream(graph)), model, featureColumnName);
    }

    private static ITransformer FitOnSchema(MLContext ml, IEstimator<ITransformer> chain, MriNetModel model, string featureColumnName)
    {
        // The chain only needs the feature column's schema to fit; no image is read.
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Image)].ColumnName = featureColumnName;
        int[] shape = model.InputShape;
        definition[nameof(ImageRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape);
        return chain.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), definition));
    }
}
