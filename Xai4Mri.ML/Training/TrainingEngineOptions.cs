using Microsoft.ML.Runtime;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Training;

/// <summary>How <see cref="TrainingEngine"/> runs: the loss, the optimiser, early stopping, checkpoints and where it reports.</summary>
internal sealed record TrainingEngineOptions
{
    /// <summary>The label's kind (the loss and the metric follow it).</summary>
    public required LabelKind Kind { get; init; }

    /// <summary>The first layer the batches feed (0: images; the head's index: its input features).</summary>
    public int FirstLayer { get; init; }

    /// <summary>The run's seed; dropout masks are reseeded from it every epoch.</summary>
    public int Seed { get; init; }

    /// <summary>Epochs without improvement before a phase stops; 0 turns early stopping off.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Smallest decrease of the monitored loss that counts as improvement.</summary>
    public double EarlyStoppingMinDelta { get; init; } = TrainingDefaults.EarlyStoppingMinDelta;

    /// <summary>Start each phase from the best weights so far (true) or from where the last one ended.</summary>
    public bool RestoreBestBetweenPhases { get; init; } = true;

    /// <summary>Run every batch-norm layer in inference mode (its scale and shift still learn).</summary>
    public bool KeepBatchNormStatistics { get; init; }

    /// <summary>Adam β₁.</summary>
    public double Beta1 { get; init; } = TrainingDefaults.Beta1;

    /// <summary>Adam β₂.</summary>
    public double Beta2 { get; init; } = TrainingDefaults.Beta2;

    /// <summary>Adam ε.</summary>
    public double Epsilon { get; init; } = TrainingDefaults.Epsilon;

    /// <summary>L2 penalty added to the gradients.</summary>
    public double WeightDecay { get; init; }

    /// <summary>File for a checkpoint after every epoch (and resumed from when it belongs to this run); null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>What makes two runs the same run (the checkpoint is resumed only when it matches).</summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>Receives one report per epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Receives the epoch lines (MLContext.Log).</summary>
    public IChannel? Log { get; init; }

    /// <summary>Throws when the run is to stop (MLContext.CancelExecution); called before every epoch.</summary>
    public Action? CheckAlive { get; init; }
}
