using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Xai4Mri.ML.Training;

/// <summary>
/// The training objective of a network for a prediction kind: mean squared error for regression (xai4mri's loss);
/// for classes, cross-entropy on the logits — the final softmax is left out while training because log(softmax(x))
/// computed in one step is exact where the two-step form underflows — or the negative log-likelihood after a
/// log-softmax head (SFCN).
/// </summary>
internal static class NetworkLoss
{
    /// <summary>The last layer run while training (the softmax of a classification head is skipped).</summary>
    public static int LastTrainingLayer(NetworkSpec spec, LabelKind kind) =>
        kind != LabelKind.Regression && spec.Layers[^1].Kind == LayerKind.Softmax ? spec.Layers.Count - 2 : spec.Layers.Count - 1;

    /// <summary>The mean loss of a batch; <paramref name="targets"/> holds values (regression) or 0-based class indices.</summary>
    public static Tensor Compute(Tensor output, Tensor targets, NetworkSpec spec, LabelKind kind)
    {
        if (kind == LabelKind.Regression)
        {
            return mse_loss(output.reshape(-1), targets);
        }
        using var classes = targets.to_type(ScalarType.Int64);
        return spec.Layers[^1].Kind == LayerKind.LogSoftmax
            ? nll_loss(output.reshape(output.shape[0], -1), classes)
            : cross_entropy(output.reshape(output.shape[0], -1), classes);
    }

    /// <summary>Name of the metric reported next to the loss: MAE for regression, accuracy for classes.</summary>
    public static string MetricName(LabelKind kind) => kind == LabelKind.Regression ? "MAE" : "accuracy";

    /// <summary>Sum over the batch of the metric's per-sample terms (absolute errors, or correct predictions).</summary>
    public static double MetricSum(Tensor output, Tensor targets, LabelKind kind)
    {
        if (kind == LabelKind.Regression)
        {
            using var error = (output.reshape(-1) - targets).abs().sum();
            return error.ToDouble();
        }
        using var predicted = output.reshape(output.shape[0], -1).argmax(1);
        using var correct = predicted.eq(targets.to_type(ScalarType.Int64)).sum();
        return correct.ToDouble();
    }
}
