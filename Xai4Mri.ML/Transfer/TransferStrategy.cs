namespace Xai4Mri.ML.Transfer;

/// <summary>How <see cref="MriNetTransferTrainer"/> trains a pretrained network on new data.</summary>
public enum TransferStrategy
{
    /// <summary>xai4mri's <c>mono_phase_model_training</c>: all layers for <see cref="MriNetTransferTrainer.Options.Epochs"/> epochs.</summary>
    MonoPhase,

    /// <summary>
    /// xai4mri's <c>dual_phase_model_training</c>: all layers, then the convolutional (non-Dense) layers frozen and the
    /// dense layers fine-tuned for <see cref="MriNetTransferTrainer.Options.FineTuneEpochs"/> epochs.
    /// </summary>
    DualPhase,

    /// <summary>
    /// A linear probe first — only the (new) head trains on the frozen network — then all layers: the head stops
    /// sending large random gradients into pretrained layers before they are unfrozen.
    /// </summary>
    LinearProbeThenFineTune,
}
