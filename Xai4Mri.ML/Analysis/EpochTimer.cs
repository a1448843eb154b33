using System.Diagnostics;
using Microsoft.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// Measures what an epoch will cost on this machine: a few real training steps (forward, loss, backward) and
/// forward passes on the new data's images, run on a copy of the network so the pretrained model is untouched.
/// </summary>
internal static class EpochTimer
{
    /// <summary>Seconds per training batch and per inference batch of <paramref name="batchSize"/> images (the median over <paramref name="batches"/>).</summary>
    public static (double TrainBatchSeconds, double ForwardBatchSeconds, int BatchesTimed) Measure(MriNetModel model, IDataView data, string imageColumn, LabelColumn label, int batchSize, int batches)
    {
        int voxels = model.InputShape.Aggregate(1, (a, b) => a * b);
        var kind = label.Kind;
        // A copy with the head the new task trains: the cost of what will run, and nothing happens to the caller's weights.
        using var copy = HeadAdapter.Adapt(model, kind == LabelKind.Regression ? 0 : label.ClassNames.Count);
        var network = copy.Network;
        var spec = copy.Spec;
        int last = NetworkLoss.LastTrainingLayer(spec, kind);
        var train = new List<double>();
        var forward = new List<double>();
        // One batch more than timed: the first pays for libtorch's allocations and kernel selection.
        foreach (var batch in ImageBatches.Read(data, imageColumn, label, batchSize, voxels).Take(batches + 1))
        {
            using var scope = NewDisposeScope();
            var x = OwnedTensor.From(batch.Images, [batch.Count, .. spec.InputShape.Select(d => (long)d)]);
            var y = OwnedTensor.From(batch.Targets, [batch.Count]);
            var clock = Stopwatch.StartNew();
            network.train();
            network.zero_grad();
            NetworkLoss.Compute(network.ForwardTo(x, last), y, spec, kind).backward();
            double t = clock.Elapsed.TotalSeconds * batchSize / batch.Count;
            clock.Restart();
            network.eval();
            using (no_grad())
            {
                _ = network.ForwardTo(x, last);
            }
            double f = clock.Elapsed.TotalSeconds * batchSize / batch.Count;
            train.Add(t);
            forward.Add(f);
        }
        if (train.Count > 1)
        {
            train.RemoveAt(0);
            forward.RemoveAt(0);
        }
        return train.Count == 0 ? (double.NaN, double.NaN, 0) : (Median(train), Median(forward), train.Count);
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
