using Microsoft.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Transfer;

/// <summary>The trainer catalog entry points of <see cref="MriNetTransferTrainer"/> (<c>ml.Regression.Trainers.MriNetTransfer</c>, …).</summary>
public static class MriNetTransferCatalog
{
    /// <summary>Fine-tunes a pretrained network (or trains a fresh MRInet) for regression; the label column is Single.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this RegressionCatalog.RegressionTrainers catalog, MriNetTransferTrainer.Options options) =>
        Create(catalog, LabelKind.Regression, options);

    /// <summary>Regression with the common settings; see <see cref="MriNetTransferTrainer.Options"/> for the others.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Image",
        MriNetModel? pretrainedModel = null, TransferStrategy strategy = TransferStrategy.DualPhase, int epochs = 20, int fineTuneEpochs = 10, double? learningRate = null, int batchSize = 4) =>
        Create(catalog, LabelKind.Regression, Common(labelColumnName, featureColumnName, pretrainedModel, strategy, epochs, fineTuneEpochs, learningRate, batchSize));

    /// <summary>Fine-tunes a pretrained network (or trains a fresh MRInet) for two classes; the label column is Boolean.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MriNetTransferTrainer.Options options) =>
        Create(catalog, LabelKind.BinaryClassification, options);

    /// <summary>Binary classification with the common settings; see <see cref="MriNetTransferTrainer.Options"/> for the others.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Image",
        MriNetModel? pretrainedModel = null, TransferStrategy strategy = TransferStrategy.DualPhase, int epochs = 20, int fineTuneEpochs = 10, double? learningRate = null, int batchSize = 4) =>
        Create(catalog, LabelKind.BinaryClassification, Common(labelColumnName, featureColumnName, pretrainedModel, strategy, epochs, fineTuneEpochs, learningRate, batchSize));

    /// <summary>Fine-tunes a pretrained network (or trains a fresh MRInet) for n classes; the label column is a key.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MriNetTransferTrainer.Options options) =>
        Create(catalog, LabelKind.MulticlassClassification, options);

    /// <summary>Multiclass classification with the common settings; see <see cref="MriNetTransferTrainer.Options"/> for the others.</summary>
    public static MriNetTransferTrainer MriNetTransfer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Image",
        MriNetModel? pretrainedModel = null, TransferStrategy strategy = TransferStrategy.DualPhase, int epochs = 20, int fineTuneEpochs = 10, double? learningRate = null, int batchSize = 4) =>
        Create(catalog, LabelKind.MulticlassClassification, Common(labelColumnName, featureColumnName, pretrainedModel, strategy, epochs, fineTuneEpochs, learningRate, batchSize));

    private static MriNetTransferTrainer Create(object catalog, LabelKind kind, MriNetTransferTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new MriNetTransferTrainer(MLNetInternals.Environment(catalog), kind, options);
    }

    private static MriNetTransferTrainer.Options Common(string label, string feature, MriNetModel? pretrained, TransferStrategy strategy, int epochs, int fineTuneEpochs, double? learningRate, int batchSize) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = feature,
        PretrainedModel = pretrained,
        Strategy = strategy,
        Epochs = epochs,
        FineTuneEpochs = fineTuneEpochs,
        LearningRate = learningRate,
        BatchSize = batchSize,
    };
}
