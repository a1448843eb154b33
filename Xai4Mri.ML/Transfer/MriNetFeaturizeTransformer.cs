using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Serialization;

namespace Xai4Mri.ML.Transfer;

/// <summary>A fitted frozen featurizer: adds the activations of one layer of a pretrained network as a known-size feature vector column.</summary>
/// <remarks>
/// The layers up to <see cref="LayerIndex"/> run as an ONNX graph in ONNX Runtime — the same chain <c>ml.Model.Save</c>
/// writes — so features before and after saving are identical. After <c>ml.Model.Load</c> this object comes back as
/// that chain of ML.NET transformers.
/// </remarks>
public sealed class MriNetFeaturizeTransformer : ITransformer
{
    private readonly ITransformer _featurizer;

    internal MriNetFeaturizeTransformer(MriNetModel model, string imageColumnName, string outputColumnName, int layerIndex, bool flatten, bool globalAveragePool)
    {
        Model = model;
        ImageColumnName = imageColumnName;
        OutputColumnName = outputColumnName;
        LayerIndex = layerIndex;
        int[] layerShape = model.Spec.Shapes()[layerIndex];
        FeatureShape = globalAveragePool ? [layerShape[0]] : layerShape;
        FeatureCount = FeatureShape.Aggregate(1, (a, b) => a * b);
        byte[] graph = ScoringGraph.BuildFeatures(model, imageColumnName, outputColumnName, layerIndex, globalAveragePool, flatten ? [FeatureCount] : FeatureShape);
        _featurizer = SavedNetworkChain.BuildFeatures(graph, model.InputShape, imageColumnName, outputColumnName);
    }

    /// <summary>The pretrained network the features come from (unchanged).</summary>
    public MriNetModel Model { get; }

    /// <summary>Index into <c>Model.Spec.Layers</c> of the layer whose activations are the features.</summary>
    public int LayerIndex { get; }

    /// <summary>Shape of one row's features before flattening: the layer's output shape, or (C) after global average pooling.</summary>
    public int[] FeatureShape { get; }

    /// <summary>Number of features per row (the size of the output vector).</summary>
    public int FeatureCount { get; }

    /// <summary>The image column read.</summary>
    public string ImageColumnName { get; }

    /// <summary>The image column read (the former name of <see cref="ImageColumnName"/>).</summary>
    [Obsolete("Use ImageColumnName.")]
    public string InputColumnName => ImageColumnName;

    /// <summary>The feature column added.</summary>
    public string OutputColumnName { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or does not hold the network's input size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInputColumn(inputSchema);
        return _featurizer.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or does not hold the network's input size.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputColumn(input.Schema);
        return _featurizer.Transform(input);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInputColumn(inputSchema);
        return _featurizer.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the savable chain (the truncated network as ONNX) into the model file.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _featurizer.Save(ctx);

    private void CheckInputColumn(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        NetworkInput.Check(schema, ImageColumnName, Model.InputShape, nameof(schema));
    }
}
