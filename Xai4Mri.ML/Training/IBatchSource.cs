namespace Xai4Mri.ML.Training;

/// <summary>Where a training run's batches come from: each epoch's training batches (shuffled, maybe augmented) and the validation batches.</summary>
internal interface IBatchSource
{
    /// <summary>Shape of one input without the batch axis (e.g. [1, D, H, W]).</summary>
    long[] InputShape { get; }

    /// <summary>Rows in one training epoch.</summary>
    int TrainingCount { get; }

    /// <summary>Validation rows (0: none; early stopping and the best weights then watch the training loss).</summary>
    int ValidationCount { get; }

    /// <summary>The training batches of epoch <paramref name="epoch"/> (1-based), in that epoch's order.</summary>
    IEnumerable<TrainingBatch> TrainingBatches(int epoch);

    /// <summary>The validation batches, unchanged.</summary>
    IEnumerable<TrainingBatch> ValidationBatches();
}
