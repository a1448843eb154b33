using Microsoft.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML;

/// <summary>Xai4Mri.ML's entry points on <c>ml.MulticlassClassification.Trainers</c>: <c>MriNetTransfer</c> for n classes.</summary>
public static class MriMulticlassClassificationTrainersCatalog
{
    /// <summary>Fine-tunes a pretrained network (or trains a fresh MRInet) for n classes; the label column is a key.</summary>
    /// <param name="catalog">The trainers catalog.</param>
    /// <param name="options">Every setting of the trainer.</param>
    public static MriNetTransferTrainer MriNetTransfer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MriNetTransferTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new MriNetTransferTrainer(MLNetInternals.Environment(catalog), LabelKind.MulticlassClassification, options);
    }

    /// <summary>Multiclass classification with the common settings; see <see cref="MriNetTransferTrainer.Options"/> for the others.</summary>
    /// <param name="catalog">The trainers catalog.</param>
    /// <param name="labelColumnName">The label column (a key).</param>
    /// <param name="imageColumnName">The image column (LoadNifti's output).</param>
    /// <param name="pretrainedModel">The pretrained network; null trains a fresh MRInet.</param>
    /// <param name="strategy">How to train.</param>
    /// <param name="epochs">Epochs of phase 1.</param>
    /// <param name="fineTuneEpochs">Epochs of phase 2.</param>
    /// <param name="learningRate">Adam learning rate; null for the model's, else xai4mri's 5e-4.</param>
    /// <param name="batchSize">Images per step.</param>
    public static MriNetTransferTrainer MriNetTransfer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string imageColumnName = "Image",
        MriNetModel? pretrainedModel = null, TransferStrategy strategy = TransferStrategy.DualPhase, int epochs = TrainingDefaults.Epochs, int fineTuneEpochs = TrainingDefaults.FineTuneEpochs, double? learningRate = null, int batchSize = TrainingDefaults.BatchSize) =>
        MriNetTransfer(catalog, MriNetTransferTrainer.Common(labelColumnName, imageColumnName, pretrainedModel, strategy, epochs, fineTuneEpochs, learningRate, batchSize));
}
