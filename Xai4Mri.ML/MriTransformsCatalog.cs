using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML;

/// <summary>
/// Xai4Mri.ML's entry points on <c>ml.Transforms</c>: loading MRI files, adapting a head, frozen features and the
/// transfer analysis. Arguments come in one order — output column, input (image) column, model, options — and each
/// estimator gets the context's host environment (its log, cancellation and device settings).
/// </summary>
public static class MriTransformsCatalog
{
    /// <summary>
    /// Loads the MRI files named in <paramref name="inputColumnName"/> (NIfTI-1/2, .nii.gz, .hdr/.img, MGH/MGZ) into a
    /// known-size float vector column of conformed volumes (reoriented, optionally resampled, pruned, normalised).
    /// For a pretrained model, start from <see cref="NiftiLoaderOptions.For"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the image column to add.</param>
    /// <param name="inputColumnName">Text column with file paths; default "Path".</param>
    /// <param name="options">Loader settings; null for xai4mri's defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static NiftiLoaderEstimator LoadNifti(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = "Path", NiftiLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        return new NiftiLoaderEstimator(MLNetInternals.Environment(catalog), outputColumnName, inputColumnName, options ?? new NiftiLoaderOptions());
    }

    /// <summary>
    /// A loader with settings another fit learnt (a fitted loader's <see cref="NiftiLoaderTransformer.Settings"/>, or
    /// <see cref="NiftiLoaderSettings.FromJson"/> of what a model stored): <c>Fit</c> reads no image and the loader
    /// conforms new files exactly as the one the settings came from.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the image column to add.</param>
    /// <param name="inputColumnName">Text column with file paths.</param>
    /// <param name="settings">The fitted settings.</param>
    public static NiftiLoaderEstimator LoadNifti(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, NiftiLoaderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentNullException.ThrowIfNull(settings);
        return new NiftiLoaderEstimator(MLNetInternals.Environment(catalog), outputColumnName, inputColumnName, settings);
    }

    /// <summary>
    /// Gives <paramref name="pretrained"/> a head for the task in <paramref name="labelColumnName"/> (xai4mri's
    /// <c>adapt_model</c>): a key column → that many classes with its value names, Boolean → two classes, Single →
    /// regression with the label mean as bias. Optionally warms up only the new head on frozen features. The fitted
    /// transformer scores the image column (Score, and Probability/PredictedLabel for classes) and exposes the
    /// adapted network as <see cref="MriNetPredictionTransformer.Model"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">The label column of the new task.</param>
    /// <param name="imageColumnName">The image column (LoadNifti's output, of the network's input shape).</param>
    /// <param name="pretrained">The pretrained model; it is not changed.</param>
    /// <param name="options">Warm-up and seed; null for defaults (no warm-up).</param>
    public static AdaptHeadEstimator AdaptHead(this TransformsCatalog catalog, string labelColumnName, string imageColumnName, MriNetModel pretrained, AdaptHeadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        ArgumentNullException.ThrowIfNull(pretrained);
        return new AdaptHeadEstimator(MLNetInternals.Environment(catalog), labelColumnName, imageColumnName, pretrained, options ?? new AdaptHeadOptions());
    }

    /// <summary>The former argument order of <see cref="AdaptHead(TransformsCatalog, string, string, MriNetModel, AdaptHeadOptions?)"/>; the image column comes from the options.</summary>
    [Obsolete("Use AdaptHead(labelColumnName, imageColumnName, pretrained, options).")]
    public static AdaptHeadEstimator AdaptHead(this TransformsCatalog catalog, MriNetModel pretrained, string labelColumnName = "Label", AdaptHeadOptions? options = null) =>
        AdaptHead(catalog, labelColumnName, options?.FeatureColumnName ?? "Image", pretrained, options);

    /// <summary>
    /// Frozen features for ML.NET's trainers: adds <paramref name="outputColumnName"/>, a known-size
    /// <c>Vector&lt;Single, F&gt;</c> holding the activations of layer <paramref name="layer"/> of
    /// <paramref name="model"/> for the image in <paramref name="imageColumnName"/>, so that
    /// <c>LoadNifti → MriNetFeaturize → FastTree</c> is a transfer pipeline. The network is not trained or changed.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the feature column to add (e.g. "Features").</param>
    /// <param name="imageColumnName">The image column; a known-size vector of the network's input size.</param>
    /// <param name="model">The pretrained network.</param>
    /// <param name="layer">Index into <c>model.Spec.Layers</c>; null = the layer before the head (<c>Spec.HeadIndex - 1</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is outside the network's layers.</exception>
    public static MriNetFeaturizeEstimator MriNetFeaturize(this TransformsCatalog catalog, string outputColumnName, string imageColumnName, MriNetModel model, int? layer = null) =>
        MriNetFeaturize(catalog, outputColumnName, imageColumnName, model, new MriNetFeaturizeOptions { LayerIndex = layer });

    /// <summary>
    /// Frozen features for ML.NET's trainers, with the layer chosen by index or name and the features' form
    /// (flat or shaped, optionally globally average-pooled per channel) set in <paramref name="options"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the feature column to add (e.g. "Features").</param>
    /// <param name="imageColumnName">The image column; a known-size vector of the network's input size.</param>
    /// <param name="model">The pretrained network.</param>
    /// <param name="options">Layer (index or name), flattening and pooling.</param>
    /// <exception cref="ArgumentOutOfRangeException">The layer index is outside the network, the name unknown, or pooling asked of a layer without spatial axes.</exception>
    public static MriNetFeaturizeEstimator MriNetFeaturize(this TransformsCatalog catalog, string outputColumnName, string imageColumnName, MriNetModel model, MriNetFeaturizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new MriNetFeaturizeEstimator(MLNetInternals.Environment(catalog), outputColumnName, imageColumnName, model, options);
    }

    /// <summary>
    /// Analyses whether <paramref name="pretrained"/> will transfer to the data and how to train it (xai4mri's
    /// <c>analyse_model_and_data</c>): dataset and model diagnostics, LogME and probes on pretrained vs raw features,
    /// domain shift, and a recommended approach with settings and reasons. Fit returns a pass-through transformer
    /// with <c>.Report</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">Single (regression), Boolean or key (classes).</param>
    /// <param name="imageColumnName">The image column LoadNifti wrote, conformed to the model's input.</param>
    /// <param name="pretrained">The pretrained model; it is not changed.</param>
    /// <param name="options">Folds, seed, site and path columns, reference data, progress; null for defaults.</param>
    public static TransferAnalysisEstimator AnalyzeTransfer(this TransformsCatalog catalog, string labelColumnName, string imageColumnName, MriNetModel pretrained, TransferAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TransferAnalysisEstimator(MLNetInternals.Environment(catalog), labelColumnName, imageColumnName, pretrained, options);
    }

    /// <summary>The former argument order of <see cref="AnalyzeTransfer(TransformsCatalog, string, string, MriNetModel, TransferAnalysisOptions?)"/>.</summary>
    [Obsolete("Use AnalyzeTransfer(labelColumnName, imageColumnName, pretrained, options).")]
    public static TransferAnalysisEstimator AnalyzeTransfer(this TransformsCatalog catalog, MriNetModel pretrained, string labelColumnName, string imageColumnName = "Image", TransferAnalysisOptions? options = null) =>
        AnalyzeTransfer(catalog, labelColumnName, imageColumnName, pretrained, options);

    /// <summary>
    /// Relevance maps in the pipeline: adds <paramref name="outputColumnName"/>, a known-size vector of the image
    /// column's shape holding, for each row, the relevance of every voxel for <paramref name="model"/>'s output
    /// (<see cref="RelevanceMaps.Compute"/>; default LRP with iNNvestigate's preset A). Maps are computed lazily, row
    /// by row as a cursor reads them; the step survives <c>ml.Model.Save</c>/<c>Load</c> with the network in the file.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the relevance column to add (e.g. "Relevance").</param>
    /// <param name="imageColumnName">The image column (LoadNifti's output, of the network's input shape).</param>
    /// <param name="model">The network to explain; it is not changed.</param>
    /// <param name="options">Method, explained output and parameters; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <exception cref="NotSupportedException">An LRP method has no rule for one of the network's layers (the layer and the method are named).</exception>
    public static ExplainMriNetEstimator ExplainMriNet(this TransformsCatalog catalog, string outputColumnName, string imageColumnName, MriNetModel model, ExplainMriNetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        ArgumentNullException.ThrowIfNull(model);
        return new ExplainMriNetEstimator(MLNetInternals.Environment(catalog), outputColumnName, imageColumnName, model, options ?? new ExplainMriNetOptions());
    }

    /// <summary>
    /// Relevance maps of the network a fitted pipeline predicts with (<see cref="PipelineNetwork.Find"/>: the model of
    /// its <see cref="MriNetPredictionTransformer"/>, e.g. what <c>MriNetTransfer</c> fine-tuned), as
    /// <see cref="ExplainMriNet(TransformsCatalog, string, string, MriNetModel, ExplainMriNetOptions?)"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the relevance column to add.</param>
    /// <param name="imageColumnName">The image column the pipeline's network reads.</param>
    /// <param name="fittedPipeline">The fitted pipeline.</param>
    /// <param name="options">Method, explained output and parameters; null for the defaults.</param>
    /// <exception cref="ArgumentException">The pipeline holds no predicting network (e.g. FastTree on frozen features); the message says what it holds.</exception>
    public static ExplainMriNetEstimator ExplainMriNet(this TransformsCatalog catalog, string outputColumnName, string imageColumnName, ITransformer fittedPipeline, ExplainMriNetOptions? options = null) =>
        ExplainMriNet(catalog, outputColumnName, imageColumnName, PipelineNetwork.Find(fittedPipeline), options);
}
