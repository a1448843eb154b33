using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// The transfer analysis as an ML.NET estimator (<c>ml.Transforms.AnalyzeTransfer</c>): Fit analyses the data for
/// the pretrained model and returns a pass-through transformer whose <see cref="TransferAnalysisTransformer.Report"/>
/// holds the result, so the analysis can sit in a pipeline right after <c>LoadNifti</c>.
/// </summary>
public sealed class TransferAnalysisEstimator : IEstimator<TransferAnalysisTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly MriNetModel _pretrained;
    private readonly string _labelColumnName;
    private readonly string _imageColumnName;
    private readonly TransferAnalysisOptions _options;

    internal TransferAnalysisEstimator(IHostEnvironment env, string labelColumnName, string imageColumnName, MriNetModel pretrained, TransferAnalysisOptions? options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        _pretrained = pretrained ?? throw new ArgumentNullException(nameof(pretrained));
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        _labelColumnName = labelColumnName;
        _imageColumnName = imageColumnName;
        _options = options ?? new TransferAnalysisOptions();
    }

    /// <summary>Runs the analysis on <paramref name="input"/>; see <see cref="TransferAnalysis.Analyze"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, the images do not fit the model, or too few labelled rows.</exception>
    /// <exception cref="OperationCanceledException"><c>MLContext.CancelExecution</c> was called on the context that made this estimator; checked at every progress step.</exception>
    public TransferAnalysisTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The probes need an MLContext (its trainer catalogs); the catalog holds only its environment. A private
        // context with the analysis's seed does the work, and its log lines go on to the caller's MLContext.Log.
        var ml = new MLContext(_options.Seed);
        using var channel = _env.Start("AnalyzeTransfer");
        ml.Log += (_, e) =>
        {
            // Warnings from anywhere (e.g. the dataset diagnostics), progress lines from the analysis itself; not FastTree's chatter.
            if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error)
            {
                channel.Warning(MessageSensitivity.None, e.RawMessage);
            }
            else if (e.Kind == ChannelMessageKind.Info && e.Source == "AnalyzeTransfer")
            {
                channel.Info(MessageSensitivity.None, e.RawMessage);
            }
        };
        // Cancelling the caller's context (MLContext.CancelExecution) stops the analysis at its next progress step.
        return new TransferAnalysisTransformer(TransferAnalysis.Run(ml, _pretrained, input, _labelColumnName, _imageColumnName, _options, _env));
    }

    /// <summary>The input schema unchanged, once the label and image columns are found.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or image column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        foreach (string name in new[] { _labelColumnName, _imageColumnName, _options.PathColumnName })
        {
            if (!inputSchema.Any(c => c.Name == name))
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{name}' not found; AnalyzeTransfer needs the label, the conformed image (LoadNifti) and the path column");
            }
        }
        return inputSchema;
    }
}
