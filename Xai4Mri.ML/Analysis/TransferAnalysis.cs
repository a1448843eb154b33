using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// xai4mri's announced <c>analyse_model_and_data(model, data)</c>: will a pretrained network transfer to this small
/// dataset, and how should it be trained? The same analysis as <c>ml.Transforms.AnalyzeTransfer</c>, as one call.
/// </summary>
public static class TransferAnalysis
{
    /// <summary>Analyses <paramref name="data"/> (rows after <c>LoadNifti</c>: the image and path columns and the label) for <paramref name="pretrained"/>.</summary>
    /// <param name="ml">The context (FastTree probes run in it; its log gets the progress lines).</param>
    /// <param name="pretrained">The pretrained model; it is not changed.</param>
    /// <param name="data">The new dataset.</param>
    /// <param name="labelColumnName">Single (regression), Boolean or key (classes).</param>
    /// <param name="imageColumnName">The conformed image column. Default "Image".</param>
    /// <param name="options">Folds, seed, site column, reference data, progress.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, the images do not fit the model, or there are too few labelled rows for the folds.</exception>
    /// <exception cref="OperationCanceledException"><c>MLContext.CancelExecution</c> was called on <paramref name="ml"/>; checked at every progress step.</exception>
    public static TransferReport Analyze(MLContext ml, MriNetModel pretrained, IDataView data, string labelColumnName, string imageColumnName = "Image", TransferAnalysisOptions? options = null) =>
        Run(ml, pretrained, data, labelColumnName, imageColumnName, options, MLNetInternals.Environment(ml.Transforms));

    /// <summary>As <see cref="Analyze"/>; <paramref name="cancelled"/> is the environment whose cancellation stops the analysis at its next step.</summary>
    internal static TransferReport Run(MLContext ml, MriNetModel pretrained, IDataView data, string labelColumnName, string imageColumnName, TransferAnalysisOptions? options, IHostEnvironment cancelled)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        options ??= new TransferAnalysisOptions();
        if (options.Folds < 2 || options.TimingBatches < 1 || options.TrainingFraction is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TransferAnalysisOptions needs Folds >= 2, TimingBatches >= 1 and TrainingFraction in (0, 1]");
        }
        var clock = Stopwatch.StartNew();
        // Where training would run (MLContext.GpuDeviceId): features and the timed steps run there too.
        var device = ComputeDevice.Select(cancelled);
        var label = LabelColumn.Inspect(data.Schema, labelColumnName);
        NetworkInput.Check(data.Schema, imageColumnName, pretrained.InputShape, nameof(data));
        if (data.Schema.GetColumnOrNull(options.PathColumnName) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"path column '{options.PathColumnName}' not found: the dataset diagnostics read the image files (set TransferAnalysisOptions.PathColumnName)");
        }
        string? site = options.SiteColumnName ?? (data.Schema.GetColumnOrNull("site") is not null ? "site" : null);
        if (site is not null && data.Schema.GetColumnOrNull(site) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"site column '{site}' not found");
        }
        void Report(string line)
        {
            options.Progress?.Report(line);
            MLNetLog.Info(ml, "AnalyzeTransfer", line);
            MLNetInternals.CheckAlive(cancelled);
        }

        Report("dataset diagnostics: reading the image files");
        var dataset = DatasetDiagnostics.Compute(ml, data, labelColumnName, options.PathColumnName, new DatasetDiagnosticsOptions
        {
            SubjectColumnName = options.SubjectColumnName,
            Orientation = pretrained.Conventions.Orientation,
            ModelInputShape = pretrained.InputShape,
            ModelVoxelSize = pretrained.Conventions.VoxelSize ?? [1.0],
            // After LoadNifti the images are in its cache: the diagnostics read them from there instead of decoding again.
            Prepared = LoaderPipeline.Of(data.Schema[imageColumnName]) is { } loader ? loader.Prepare : null,
        });
        var model = ModelDiagnostics.Compute(pretrained, dataset, options.TrainingFraction);

        var probeOptions = new TransferabilityOptions
        {
            ImageColumnName = imageColumnName,
            Folds = options.Folds,
            Seed = options.Seed,
            RawBlockSize = options.RawBlockSize,
            BatchSize = options.BatchSize,
            Progress = new Progress(Report),
        };
        Report("features: running the pretrained network over the images");
        var features = Transferability.Extract(pretrained, data, probeOptions, label, site, device);
        var transferability = Transferability.Compute(ml, features, label, probeOptions);
        Report("probe learning curve");
        var curve = Transferability.LearningCurve(features, label, probeOptions);

        var shift = MeasureShift(pretrained, features, options, imageColumnName, device);
        bool regression = label.Kind == LabelKind.Regression;
        var embedding = Pca.Project(features.Penultimate, features.Targets, regression ? null : label.ClassNames);
        var histograms = IntensityHistograms.Compute(features.IntensitySamples.Select((s, i) => (site is null ? "all images" : features.Groups[i], s)));

        Report("timing training steps");
        const int timedBatch = 4;
        var (train, forward, _) = EpochTimer.Measure(pretrained, data, imageColumnName, label, timedBatch, options.TimingBatches, device);
        long budget = options.MemoryBudgetBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
        var recommendation = Recommender.Recommend(new Recommender.Inputs(features.Targets.Length, regression, options.Folds,
            transferability, shift, pretrained, train / timedBatch, forward / timedBatch, budget));
        Report($"analysis done in {clock.Elapsed.TotalSeconds:F0} s: {recommendation.Approach}");
        return new TransferReport(labelColumnName, features.Targets.Length, dataset, model, transferability, shift, curve, embedding, histograms,
            regression ? features.Targets : [], recommendation, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Against the model's stored source statistics when they describe the penultimate layer, else against the reference data, else none.</summary>
    private static DomainShiftReport? MeasureShift(MriNetModel pretrained, AnalysisFeatures features, TransferAnalysisOptions options, string imageColumnName, TorchSharp.torch.Device device)
    {
        if (pretrained.SourceStatistics is { } stored && stored.LayerIndex == features.PenultimateLayer && stored.Mean.Length == features.Penultimate[0].Length)
        {
            return DomainShift.Measure(stored, features.Penultimate, $"the source statistics stored with the model ({stored.Description})");
        }
        if (options.ReferenceData is { } reference)
        {
            NetworkInput.Check(reference.Schema, imageColumnName, pretrained.InputShape, nameof(options.ReferenceData));
            var rows = FrozenFeatures.Compute(pretrained.Network, reference, imageColumnName, null, features.PenultimateLayer, options.BatchSize, device).Features;
            if (rows.Length == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "TransferAnalysisOptions.ReferenceData has no rows");
            }
            var statistics = FeatureStatistics.Of(features.PenultimateLayer, pretrained.Spec.Layers[features.PenultimateLayer].Name, rows, "reference data");
            return DomainShift.Measure(statistics, features.Penultimate, $"the reference data ({rows.Length} images)");
        }
        return null;
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously (System.Progress posts to a thread pool, out of order).</summary>
    private sealed class Progress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
