using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Serialization;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// A fitted network that scores an image column with the output columns ML.NET's evaluators read (see
/// <see cref="LabelKind"/>), and gives access to the network (<see cref="Model"/>) and how it was trained.
/// </summary>
/// <remarks>
/// Scoring runs the network's ONNX form in ONNX Runtime — the same chain <c>ml.Model.Save</c> writes — so outputs
/// before and after saving are identical. After <c>ml.Model.Load</c> this object comes back as that chain of
/// ML.NET transformers; <see cref="MriNetModel.FromModelZip"/> recovers the network from the file.
/// </remarks>
public sealed class MriNetPredictionTransformer : ITransformer
{
    private readonly ITransformer _scorer;

    internal MriNetPredictionTransformer(MriNetModel model, string imageColumnName, LabelKind kind, TrainingHistory? history = null)
    {
        Model = model;
        ImageColumnName = imageColumnName;
        Kind = kind;
        History = history ?? new TrainingHistory();
        byte[] graph = ScoringGraph.Build(model, imageColumnName, SavedNetworkChain.NetworkOutputColumn(kind));
        _scorer = SavedNetworkChain.Build(graph, model.InputShape, imageColumnName, kind, model.Task.ClassNames);
    }

    /// <summary>The fitted network with its task, input conventions and provenance.</summary>
    public MriNetModel Model { get; }

    /// <summary>The image column the network reads.</summary>
    public string ImageColumnName { get; }

    /// <summary>The image column the network reads (the former name of <see cref="ImageColumnName"/>).</summary>
    [Obsolete("Use ImageColumnName.")]
    public string FeatureColumnName => ImageColumnName;

    /// <summary>Which output columns are added.</summary>
    public LabelKind Kind { get; }

    /// <summary>Per-epoch losses and metrics of the training that produced the network (empty when nothing was trained).</summary>
    public TrainingHistory History { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or does not hold the network's input size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckFeatureColumn(inputSchema);
        return _scorer.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or does not hold the network's input size.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckFeatureColumn(input.Schema);
        return _scorer.Transform(input);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckFeatureColumn(inputSchema);
        return _scorer.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the savable chain (ONNX network and score mapping) into the model file.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _scorer.Save(ctx);

    private void CheckFeatureColumn(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        NetworkInput.Check(schema, ImageColumnName, Model.InputShape, nameof(schema));
    }
}
