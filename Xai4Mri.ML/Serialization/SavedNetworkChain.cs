using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Serialization;

/// <summary>
/// The savable form of a fitted network, built from ML.NET's own transformers (docs/architecture.md, "Saving"): the
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

    /// <summary>The column a scoring graph must write for <paramref name="kind"/> (the chain's custom mapping reads it).</summary>
    public static string NetworkOutputColumn(LabelKind kind) =>
        kind == LabelKind.MulticlassClassification ? "Score" : NetworkOutputRow.OutputColumn;

    /// <summary>
    /// The chain around <paramref name="graph"/>, an ONNX network reading <paramref name="featureColumnName"/> (a
    /// known-size vector of <paramref name="inputShape"/>) and writing <see cref="NetworkOutputColumn"/>.
    /// </summary>
    public static ITransformer Build(byte[] graph, int[] inputShape, string featureColumnName, LabelKind kind, IReadOnlyList<string> classNames)
    {
        var ml = OnnxTempFolder.Context();
        string networkOutput = NetworkOutputColumn(kind);
        IEstimator<ITransformer> chain = ml.Transforms.ApplyOnnxModel([networkOutput], [featureColumnName], new MemoryStream(graph));
        chain = kind switch
        {
            LabelKind.Regression => chain
                .Append(ml.Transforms.CustomMapping(new RegressionScoreMappingFactory().GetMapping(), RegressionScoreMappingFactory.ContractName))
                .Append(ml.Transforms.DropColumns(networkOutput)),
            LabelKind.BinaryClassification => chain
                .Append(ml.Transforms.CustomMapping(new BinaryScoreMappingFactory().GetMapping(), BinaryScoreMappingFactory.ContractName))
                .Append(ml.Transforms.DropColumns(networkOutput)),
            _ => chain
                .Append(ml.Transforms.CustomMapping(new ClassIndexMappingFactory().GetMapping(), ClassIndexMappingFactory.ContractName))
                .Append(ml.Transforms.Conversion.MapValue("PredictedLabel",
                    classNames.Select((name, i) => new KeyValuePair<uint, string>((uint)i + 1, name)),
                    ClassIndexRow.IndexColumn, treatValuesAsKeyType: true))
                .Append(ml.Transforms.DropColumns(ClassIndexRow.IndexColumn)),
        };
        return FitOnSchema(ml, chain, inputShape, featureColumnName);
    }

    /// <summary>
    /// The savable form of a frozen feature extractor: <paramref name="graph"/> (a truncated network) as an embedded
    /// ONNX graph writing the known-size vector column <paramref name="outputColumnName"/>.
    /// </summary>
    public static ITransformer BuildFeatures(byte[] graph, int[] inputShape, string featureColumnName, string outputColumnName)
    {
        var ml = OnnxTempFolder.Context();
        return FitOnSchema(ml, ml.Transforms.ApplyOnnxModel([outputColumnName], [featureColumnName], new MemoryStream(graph)), inputShape, featureColumnName);
    }

    private static ITransformer FitOnSchema(MLContext ml, IEstimator<ITransformer> chain, int[] shape, string featureColumnName)
    {
        // The chain only needs the feature column's schema to fit; no image is read.
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        // Looked up once: after the rename the column is no longer found under its member's name.
        var column = definition[nameof(ImageRow.Image)];
        column.ColumnName = featureColumnName;
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape);
        return chain.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), definition));
    }
}
