using System.Diagnostics;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Training;

/// <summary>
/// What one training step and one forward pass cost on a device: the <see cref="TrainingEngine"/>'s own step
/// (forward, loss, backward, Adam update) and inference, timed on real batches. The network's weights change: time a copy.
/// </summary>
internal static class StepTiming
{
    /// <summary>
    /// Seconds per training step and per forward pass of <paramref name="batchSize"/> images (the median over the
    /// batches after the first, which pays for libtorch's allocations and kernel selection), and how many were timed.
    /// </summary>
    public static (double TrainBatchSeconds, double ForwardBatchSeconds, int BatchesTimed) Measure(NetworkModule network, LabelKind kind, Device device,
        IEnumerable<TrainingBatch> batches, long[] inputShape, int batchSize)
    {
        var engine = new TrainingEngine(network, device, new TrainingEngineOptions { Kind = kind });
        bool[] all = [.. Enumerable.Repeat(true, network.Spec.Layers.Count)];
        engine.SetTrainable(all);
        using var optimizer = engine.NewOptimizer();
        var train = new List<double>();
        var forward = new List<double>();
        foreach (var batch in batches)
        {
            var clock = Stopwatch.StartNew();
            engine.SetTrainable(all);
            engine.Step(batch, inputShape, optimizer, TrainingDefaults.LearningRate);
            double t = clock.Elapsed.TotalSeconds * batchSize / batch.Count;
            clock.Restart();
            engine.Evaluate([batch], batch.Count, inputShape);
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
