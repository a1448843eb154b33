using Microsoft.ML;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// Measures what an epoch will cost: a few real training steps and forward passes of the training engine on the new
/// data's images, on the device training will use, run on a copy of the network with the head the new task trains
/// (the pretrained model is untouched).
/// </summary>
internal static class EpochTimer
{
    /// <summary>Seconds per training batch and per inference batch of <paramref name="batchSize"/> images (the median over <paramref name="batches"/>).</summary>
    public static (double TrainBatchSeconds, double ForwardBatchSeconds, int BatchesTimed) Measure(MriNetModel model, IDataView data, string imageColumn, LabelColumn label, int batchSize, int batches, Device device)
    {
        int voxels = model.InputShape.Aggregate(1, (a, b) => a * b);
        var kind = label.Kind;
        using var copy = HeadAdapter.Adapt(model, kind == LabelKind.Regression ? 0 : label.ClassNames.Count);
        copy.Network.to(device);
        // One batch more than timed: the first pays for libtorch's allocations and kernel selection.
        var images = ImageBatches.Read(data, imageColumn, label, batchSize, voxels).Take(batches + 1)
            .Select(b => new TrainingBatch(b.Images, b.Targets, b.Count));
        return StepTiming.Measure(copy.Network, kind, device, images, [.. copy.Spec.InputShape.Select(d => (long)d)], batchSize);
    }

    /// <summary>
    /// Bytes one training step of <paramref name="batchSize"/> images needs: every layer's activations kept for the
    /// backward pass and their gradients (2 × 4 bytes per value), plus weights, gradients and Adam's two moments (4 × 4 bytes per parameter).
    /// </summary>
    public static long TrainingBytes(MriNetModel model, int batchSize)
    {
        var shapes = model.Spec.Shapes();
        long activations = model.InputShape.Aggregate(1L, (a, b) => a * b) + shapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
        long parameters = model.Network.parameters().Sum(p => p.numel());
        return (2L * 4 * activations * batchSize) + (4L * 4 * parameters);
    }
}
