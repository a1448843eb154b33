using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Analysis;

/// <summary>The ways to use (or not use) a pretrained network on a new dataset that the analysis chooses between.</summary>
public enum TransferApproach
{
    /// <summary>Keep the network frozen: its penultimate features into a small ML.NET model (<c>MriNetFeaturize</c> + FastTree or a linear trainer).</summary>
    FrozenFeatures,

    /// <summary>Train the new head on frozen features first, then all layers (<see cref="TransferStrategy.LinearProbeThenFineTune"/>).</summary>
    LinearProbeThenFineTune,

    /// <summary>Train all layers, then only the dense ones (xai4mri's dual-phase, <see cref="TransferStrategy.DualPhase"/>).</summary>
    DualPhase,

    /// <summary>Train all layers (xai4mri's mono-phase, <see cref="TransferStrategy.MonoPhase"/>).</summary>
    MonoPhase,

    /// <summary>The pretrained features add nothing to raw image features: train a fresh network instead.</summary>
    TrainFromScratch,

    /// <summary>Neither pretrained nor raw image features predict the label: collect more data or check the labels first.</summary>
    TooLittleSignal,
}
