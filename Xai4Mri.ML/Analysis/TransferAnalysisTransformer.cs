using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// The fitted transfer analysis: passes rows through unchanged and carries the <see cref="Report"/>. Saved with
/// <c>ml.Model.Save</c> it becomes an empty step (the report is not part of a model; write it with
/// <see cref="TransferReport.Save"/>).
/// </summary>
public sealed class TransferAnalysisTransformer : ITransformer
{
    // An empty chain: the built-in transformer that saves and loads as "nothing happens here".
    private readonly TransformerChain<ITransformer> _identity = new();

    internal TransferAnalysisTransformer(TransferReport report) => Report = report;

    /// <summary>What the analysis found and recommends.</summary>
    public TransferReport Report { get; }

    /// <summary>True: rows map one to one (unchanged).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema, unchanged.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _identity.GetOutputSchema(inputSchema);

    /// <summary>The input, unchanged.</summary>
    public IDataView Transform(IDataView input) => _identity.Transform(input);

    /// <summary>A mapper that copies rows.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)_identity).GetRowToRowMapper(inputSchema);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_identity).Save(ctx);
}
