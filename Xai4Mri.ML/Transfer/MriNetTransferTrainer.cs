using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// Fine-tunes a pretrained MRInet/SFCN (or trains a fresh MRInet) on an image column inside an ML.NET pipeline —
/// xai4mri's mono- and dual-phase training, plus a linear probe followed by fine-tuning. Create it with
/// <c>ml.Regression.Trainers.MriNetTransfer</c>, <c>ml.BinaryClassification.Trainers.MriNetTransfer</c> or
/// <c>ml.MulticlassClassification.Trainers.MriNetTransfer</c>.
/// </summary>
public sealed class MriNetTransferTrainer : IEstimator<MriNetPredictionTransformer>
{
    /// <summary>Settings of <see cref="MriNetTransferTrainer"/>; the defaults follow xai4mri where it has one.</summary>
    public sealed class Options
    {
        /// <summary>The label column: Single (regression), Boolean (binary) or a key (multiclass). Default "Label".</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The image column, a known-size vector (LoadNifti's output). Default "Image".</summary>
        public string ImageColumnName { get; set; } = "Image";

        /// <summary>The image column (the former name of <see cref="ImageColumnName"/>).</summary>
        [Obsolete("Use ImageColumnName.")]
        public string FeatureColumnName
        {
            get => ImageColumnName;
            set => ImageColumnName = value;
        }

        /// <summary>
        /// Column naming each row's subject, so that the validation split keeps all rows of a subject together; null
        /// uses "sid", else "participant_id", when present, else splits by row.
        /// </summary>
        public string? SubjectColumnName { get; set; }

        /// <summary>The pretrained network; null trains a fresh MRInet sized from the image column. It is never changed.</summary>
        public MriNetModel? PretrainedModel { get; set; }

        /// <summary>How to train. Default <see cref="TransferStrategy.DualPhase"/>.</summary>
        public TransferStrategy Strategy { get; set; } = TransferStrategy.DualPhase;

        /// <summary>Epochs of phase 1 (all layers; the head only for <see cref="TransferStrategy.LinearProbeThenFineTune"/>). Default 20.</summary>
        public int Epochs { get; set; } = TrainingDefaults.Epochs;

        /// <summary>Epochs of phase 2 (dense layers for dual-phase, all layers after a linear probe); unused by mono-phase. Default 10.</summary>
        public int FineTuneEpochs { get; set; } = TrainingDefaults.FineTuneEpochs;

        /// <summary>Adam learning rate of phase 1; null uses the pretrained model's (HeadAdapter's) rate, else xai4mri's 5e-4.</summary>
        public double? LearningRate { get; set; }

        /// <summary>Adam learning rate of phase 2; null uses <see cref="LearningRate"/>.</summary>
        public double? FineTuneLearningRate { get; set; }

        /// <summary>Images per step. Default 4 (xai4mri uses 1, which is slow and noisy on a CPU).</summary>
        public int BatchSize { get; set; } = TrainingDefaults.BatchSize;

        /// <summary>Adam β₁. Default 0.9.</summary>
        public double Beta1 { get; set; } = TrainingDefaults.Beta1;

        /// <summary>Adam β₂. Default 0.999.</summary>
        public double Beta2 { get; set; } = TrainingDefaults.Beta2;

        /// <summary>Adam ε, added to √v̂ as Keras does. Default 1e-7 (Keras).</summary>
        public double Epsilon { get; set; } = TrainingDefaults.Epsilon;

        /// <summary>L2 penalty added to the gradients. Default 0 (xai4mri).</summary>
        public double WeightDecay { get; set; }

        /// <summary>Validation rows (with the same columns); null splits <see cref="ValidationFraction"/> off the training data.</summary>
        public IDataView? ValidationData { get; set; }

        /// <summary>Share of subjects held out for validation when <see cref="ValidationData"/> is null (0 = none: early stopping and the best checkpoint then watch the training loss). Default 0.1 (xai4mri).</summary>
        public double ValidationFraction { get; set; } = TrainingDefaults.ValidationFraction;

        /// <summary>Epochs without improvement before a phase stops (Keras EarlyStopping; xai4mri uses 10). 0 turns early stopping off.</summary>
        public int EarlyStoppingPatience { get; set; } = TrainingDefaults.EarlyStoppingPatience;

        /// <summary>Smallest decrease of the monitored loss that counts as improvement. Default 0.001 (xai4mri).</summary>
        public double EarlyStoppingMinDelta { get; set; } = TrainingDefaults.EarlyStoppingMinDelta;

        /// <summary>Names of the layers phase 2 of dual-phase training freezes; null = every non-Dense layer (xai4mri).</summary>
        public IReadOnlyCollection<string>? FrozenLayers { get; set; }

        /// <summary>
        /// Folder for a checkpoint written after every epoch. When it holds the checkpoint of the same run (same data,
        /// model and options), training resumes from it and ends exactly as an uninterrupted run would.
        /// </summary>
        public string? CheckpointDirectory { get; set; }

        /// <summary>Seed of the new head, validation split, shuffling, dropout and augmentation.</summary>
        public int Seed { get; set; }

        /// <summary>Random changes to training images; null = none.</summary>
        public AugmentationOptions? Augmentation { get; set; }

        /// <summary>Receives one report per epoch (the same lines also go to <c>MLContext.Log</c>).</summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

        /// <summary>
        /// When fine-tuning a pretrained model, run its batch-norm layers in inference mode: their scale and shift still
        /// train, but normalisation keeps using the source's running statistics instead of re-estimating them from
        /// small, domain-shifted batches (the Keras fine-tuning advice). Default true; no effect without a pretrained
        /// model or batch norm.
        /// </summary>
        public bool KeepBatchNormStatistics { get; set; } = true;

        /// <summary>
        /// Start phase 2 from the best weights of phase 1 (true, default) or from where phase 1 ended (false). With a
        /// validation set of a handful of subjects the "best" epoch can be an early, lucky one. The run always ends
        /// with the best weights over all epochs.
        /// </summary>
        public bool RestoreBestBetweenPhases { get; set; } = true;

        /// <summary>Training images are held in memory up to this many bytes, beyond it in a temporary file. Default 2 GiB.</summary>
        public long MaxInMemoryBytes { get; set; } = 2L << 30;
    }

    private readonly IHostEnvironment _env;
    private readonly LabelKind _kind;
    private readonly Options _options;

    internal MriNetTransferTrainer(IHostEnvironment env, LabelKind kind, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? problem = options switch
        {
            { Epochs: < 1 } => "Epochs must be at least 1",
            { FineTuneEpochs: < 0 } => "FineTuneEpochs must not be negative",
            { BatchSize: < 1 } => "BatchSize must be at least 1",
            { ValidationFraction: < 0 or >= 1 } => "ValidationFraction must be in [0, 1)",
            { EarlyStoppingPatience: < 0 } => "EarlyStoppingPatience must not be negative",
            { LearningRate: <= 0 } or { FineTuneLearningRate: <= 0 } => "learning rates must be positive",
            { Augmentation: { FlipProbability: < 0 or > 1 } or { MaxShift: < 0 } or { IntensityJitter: < 0 or >= 1 } or { LeftRightAxis: < 0 or > 2 } } =>
                "Augmentation needs FlipProbability in [0, 1], MaxShift >= 0, IntensityJitter in [0, 1) and LeftRightAxis 0, 1 or 2",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MriNetTransfer: {problem}");
        }
        _env = env;
        _kind = kind;
        _options = options;
    }

    /// <summary>Options with the common settings of the short catalog overloads.</summary>
    internal static Options Common(string labelColumnName, string imageColumnName, MriNetModel? pretrainedModel, TransferStrategy strategy, int epochs, int fineTuneEpochs, double? learningRate, int batchSize) => new()
    {
        LabelColumnName = labelColumnName,
        ImageColumnName = imageColumnName,
        PretrainedModel = pretrainedModel,
        Strategy = strategy,
        Epochs = epochs,
        FineTuneEpochs = fineTuneEpochs,
        LearningRate = learningRate,
        BatchSize = batchSize,
    };

    /// <summary>Trains on <paramref name="input"/> and returns the scoring transformer with the best-validation weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or the model does not fit the images.</exception>
    /// <exception cref="OperationCanceledException"><c>MLContext.CancelExecution</c> was called; the last checkpoint is kept.</exception>
    public MriNetPredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var run = new TrainingRun(_env, _kind, _options);
        var (model, history) = run.Train(input);
        // What the network saw, for the transfer analysis's domain-shift measure when this model is reused.
        model.RecordSourceStatistics(input, _options.ImageColumnName, "data MriNetTransfer was fitted on");
        model.Provenance = string.Create(CultureInfo.InvariantCulture,
            $"{model.Provenance}; trained by MriNetTransfer: {_options.Strategy}, {history.Epochs.Count} epochs (best {history.Best?.Epoch}), {model.SourceStatistics?.Count} images, seed {_options.Seed}");
        return new MriNetPredictionTransformer(model, _options.ImageColumnName, _kind, history);
    }

    /// <summary>The input plus the score columns of this trainer's kind.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (string name in new[] { _options.ImageColumnName, _options.LabelColumnName })
        {
            if (inputSchema.All(c => c.Name != name))
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{name}' not found");
            }
        }
        return ScoreColumns.Add(inputSchema, _kind);
    }
}
