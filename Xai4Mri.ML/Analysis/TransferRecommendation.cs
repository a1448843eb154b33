using System.Text.Json.Serialization;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Analysis;

/// <summary>The analysis's advice: an approach with the settings to run it, what it should reach, and why.</summary>
/// <param name="Approach">What to do.</param>
/// <param name="FrozenInPhaseTwo">Layers the second phase freezes (dual-phase: every non-dense layer, as xai4mri); empty otherwise.</param>
/// <param name="LearningRate">Adam learning rate of the first phase.</param>
/// <param name="FineTuneLearningRate">Adam learning rate of the second phase.</param>
/// <param name="Epochs">Epochs of the first phase (the whole run for mono-phase and from scratch).</param>
/// <param name="FineTuneEpochs">Epochs of the second phase; 0 without one.</param>
/// <param name="BatchSize">Images per step: from the number of subjects, capped by the memory estimate.</param>
/// <param name="ValidationFraction">Share of the training subjects held out for early stopping (at least about 10 subjects).</param>
/// <param name="Folds">Cross-validation folds to evaluate the result with.</param>
/// <param name="SecondsPerEpoch">Expected time of one training epoch on this machine (measured on a few real batches).</param>
/// <param name="TrainingBytesPerStep">Estimated memory of one training step at <paramref name="BatchSize"/>.</param>
/// <param name="Metric">"MAE" or "balanced accuracy".</param>
/// <param name="ExpectedScore">
/// What the data supports: the best cross-validated probe's score, less one standard error of its fold mean (the
/// best of several noisy probes is biased upwards). Fine-tuning, where advised, usually does at least as well.
/// </param>
/// <param name="ChanceScore">The same metric without features (predicting the mean, or 1/k).</param>
/// <param name="ExpectedSkill">
/// <paramref name="ExpectedScore"/> on a scale shared by all tasks: 0 at chance, 1 perfect (1 − MAE / chance MAE;
/// (balanced accuracy − 1/k) / (1 − 1/k)). Comparable across datasets and labels.
/// </param>
/// <param name="Confidence">Probability (0–1) that the signal/no-signal call is right, from the spread of the probe over folds.</param>
/// <param name="ConfidenceLevel">"high" (≥ 0.9), "medium" (≥ 0.7) or "low".</param>
/// <param name="Reasons">Why, in plain language, each with the numbers it rests on.</param>
public sealed record TransferRecommendation(
    TransferApproach Approach,
    IReadOnlyList<string> FrozenInPhaseTwo,
    double LearningRate,
    double FineTuneLearningRate,
    int Epochs,
    int FineTuneEpochs,
    int BatchSize,
    double ValidationFraction,
    int Folds,
    double SecondsPerEpoch,
    long TrainingBytesPerStep,
    string Metric,
    double ExpectedScore,
    double ChanceScore,
    double ExpectedSkill,
    double Confidence,
    string ConfidenceLevel,
    IReadOnlyList<string> Reasons)
{
    /// <summary>What to do (the former name of <see cref="Approach"/>).</summary>
    [Obsolete("Use Approach.")]
    [JsonIgnore]
    public TransferApproach Strategy => Approach;

    /// <summary>
    /// Trainer options that carry out this recommendation (strategy, epochs, rates, batch size, validation share),
    /// for <c>ml.*.Trainers.MriNetTransfer</c>.
    /// </summary>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="pretrained">The pretrained model; ignored (a fresh MRInet is trained) when the advice is to train from scratch.</param>
    /// <exception cref="InvalidOperationException">The advice is frozen features (use <c>ml.Transforms.MriNetFeaturize</c> and an ML.NET trainer) or too little signal (no training advised).</exception>
    public MriNetTransferTrainer.Options ToTrainerOptions(string labelColumnName, MriNetModel pretrained)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentNullException.ThrowIfNull(pretrained);
        var strategy = Approach switch
        {
            TransferApproach.DualPhase => TransferStrategy.DualPhase,
            TransferApproach.LinearProbeThenFineTune => TransferStrategy.LinearProbeThenFineTune,
            TransferApproach.MonoPhase or TransferApproach.TrainFromScratch => TransferStrategy.MonoPhase,
            TransferApproach.FrozenFeatures => throw new InvalidOperationException(
                "the recommendation is frozen features: use ml.Transforms.MriNetFeaturize(\"Features\", \"Image\", model) followed by an ML.NET trainer (e.g. FastTree), not MriNetTransfer"),
            _ => throw new InvalidOperationException($"the recommendation is {Approach}: no training is advised until the data shows signal ({string.Join(" ", Reasons)})"),
        };
        return new MriNetTransferTrainer.Options
        {
            LabelColumnName = labelColumnName,
            PretrainedModel = Approach == TransferApproach.TrainFromScratch ? null : pretrained,
            Strategy = strategy,
            Epochs = Epochs,
            FineTuneEpochs = FineTuneEpochs,
            LearningRate = LearningRate,
            FineTuneLearningRate = FineTuneLearningRate,
            BatchSize = BatchSize,
            ValidationFraction = ValidationFraction,
        };
    }
}
