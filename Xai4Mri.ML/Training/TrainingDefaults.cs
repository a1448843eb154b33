namespace Xai4Mri.ML.Training;

/// <summary>
/// The one place for training defaults, read by the trainer's options, the head warm-up and the transfer analysis's
/// advice, so that they cannot drift apart.
/// </summary>
internal static class TrainingDefaults
{
    /// <summary>xai4mri's Adam learning rate (MRInet.create, adapt_model).</summary>
    public const double LearningRate = 5e-4;

    /// <summary>The rate the analysis advises for a fresh network trained from scratch (no pretrained weights to keep).</summary>
    public const double FromScratchLearningRate = 1e-3;

    /// <summary>Adam's β₁ (Keras, PyTorch).</summary>
    public const double Beta1 = 0.9;

    /// <summary>Adam's β₂ (Keras, PyTorch).</summary>
    public const double Beta2 = 0.999;

    /// <summary>Adam's ε, added to √v̂ as Keras does (Keras' default; PyTorch uses 1e-8).</summary>
    public const double Epsilon = 1e-7;

    /// <summary>Epochs of phase 1 (all layers; the head only in a linear probe).</summary>
    public const int Epochs = 20;

    /// <summary>Epochs of phase 2 (dense layers for dual-phase, all layers after a linear probe).</summary>
    public const int FineTuneEpochs = 10;

    /// <summary>Adam's learning rate for <c>AdaptHead</c>'s warm-up of a new head alone on frozen features.</summary>
    public const double HeadWarmupLearningRate = 1e-3;

    /// <summary>Rows per step of the head warm-up (frozen features are small).</summary>
    public const int HeadWarmupBatchSize = 16;

    /// <summary>Images per step on a CPU (xai4mri uses 1, which is slow and noisy).</summary>
    public const int BatchSize = 4;

    /// <summary>Keras EarlyStopping patience as xai4mri sets it.</summary>
    public const int EarlyStoppingPatience = 10;

    /// <summary>Smallest decrease of the monitored loss that counts as improvement (xai4mri).</summary>
    public const double EarlyStoppingMinDelta = 0.001;

    /// <summary>Share of subjects held out for validation (xai4mri's split).</summary>
    public const double ValidationFraction = 0.1;
}
