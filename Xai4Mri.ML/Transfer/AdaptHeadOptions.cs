using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Transfer;

/// <summary>Options of <c>ml.Transforms.AdaptHead</c>.</summary>
public sealed class AdaptHeadOptions
{
    /// <summary>
    /// The image column when the estimator is made with the former <c>AdaptHead(pretrained, label, options)</c>; the
    /// current entry point takes the image column as its argument.
    /// </summary>
    [Obsolete("Pass the image column to ml.Transforms.AdaptHead(labelColumnName, imageColumnName, pretrained, options).")]
    public string FeatureColumnName { get; set; } = "Image";

    /// <summary>Initial bias of a new regression head; null = the mean of the label column (xai4mri's target bias).</summary>
    public double? TargetBias { get; set; }

    /// <summary>
    /// Epochs that train only the new head on the frozen features of the layer below it (0 = none, as xai4mri). The
    /// features are computed once, so warm-up costs one pass over the images plus seconds.
    /// </summary>
    public int WarmupEpochs { get; set; }

    /// <summary>Adam learning rate of the warm-up. Default 1e-3.</summary>
    public double LearningRate { get; set; } = TrainingDefaults.HeadWarmupLearningRate;

    /// <summary>Batch size of the warm-up and of computing the features. Default 16.</summary>
    public int BatchSize { get; set; } = TrainingDefaults.HeadWarmupBatchSize;

    /// <summary>Seed of the new head's weights and of the warm-up's shuffling.</summary>
    public int Seed { get; set; }
}
