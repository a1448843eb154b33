using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Explanations;

/// <summary>A fitted explanation step: adds each row's relevance map as a known-size column of the image column's shape.</summary>
/// <remarks>
/// <see cref="Transform"/> computes maps row by row when a cursor reads the relevance column, on the cursor's thread,
/// so a cohort streams through with one map and one image in memory per cursor; a cursor that does not read the
/// column computes nothing. <c>ml.Model.Save</c> writes a chain of ML.NET transformers that carries the network as its
/// <c>.x4m</c> bytes, and the maps are computed from that network read back from those bytes in both forms, so maps
/// before and after saving are identical; after <c>ml.Model.Load</c> this object comes back as that chain (whose
/// custom mapping ML.NET runs on several threads, reading rows ahead).
/// </remarks>
public sealed class ExplainMriNetTransformer : ITransformer
{
    private readonly ITransformer _chain;
    private readonly ExplainConfig _config;

    internal ExplainMriNetTransformer(MriNetModel model, string imageColumnName, string outputColumnName, int[] imageShape, RelevanceOptions options)
    {
        Model = model;
        ImageColumnName = imageColumnName;
        OutputColumnName = outputColumnName;
        ImageShape = imageShape;
        Options = options;
        string config = ExplainConfig.Encode(model, options);
        // The maps come from the network read back from the bytes the chain carries, live as after ml.Model.Load.
        _config = ExplainConfig.Get(config.AsMemory());
        _chain = SavedExplainChain.Build(config, imageColumnName, outputColumnName, imageShape);
    }

    /// <summary>The explained network (a snapshot of it is what the maps explain: training it afterwards does not change them).</summary>
    public MriNetModel Model { get; }

    /// <summary>The image column read.</summary>
    public string ImageColumnName { get; }

    /// <summary>The relevance column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column's shape, which the relevance column has too.</summary>
    public IReadOnlyList<int> ImageShape { get; }

    /// <summary>The method, explained output and parameters.</summary>
    public RelevanceOptions Options { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or does not hold the network's input size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInputColumn(inputSchema);
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or does not hold the network's input size.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputColumn(input.Schema);
        return new ExplainDataView(input, ImageColumnName, OutputColumnName, [.. ImageShape], _config);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInputColumn(inputSchema);
        return _chain.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the chain (with the network's bytes) into the model file.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _chain.Save(ctx);

    private void CheckInputColumn(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        NetworkInput.Check(schema, ImageColumnName, Model.InputShape, nameof(schema));
        var dims = ((VectorDataViewType)schema[ImageColumnName].Type).Dimensions;
        if (!dims.SequenceEqual(ImageShape))
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"image column '{ImageColumnName}' is {string.Join('x', dims.ToArray())}, this explanation was fitted on {string.Join('x', ImageShape)}");
        }
    }
}
