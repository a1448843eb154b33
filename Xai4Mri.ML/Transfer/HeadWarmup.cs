using System.Diagnostics;
using Microsoft.ML.Runtime;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// Trains only the layers from the head on, on precomputed features of the layer below it (a linear probe): every
/// other weight stays exactly as it was.
/// </summary>
internal static class HeadWarmup
{
    public static void Run(SpecNetwork network, FrozenFeatures.Result features, LabelKind kind, int epochs, double learningRate, int batchSize, int seed,
        TrainingHistory history, IChannel? log)
    {
        var spec = network.Spec;
        int head = spec.HeadIndex;
        int last = NetworkLoss.LastTrainingLayer(spec, kind);
        var parameters = Enumerable.Range(head, last - head + 1).SelectMany(i => network.Layer(i).parameters()).ToList();
        using var optimizer = optim.Adam(parameters, learningRate);
        int n = features.Targets.Length;
        long[] shape = [.. features.Shape.Select(d => (long)d)];
        var order = Enumerable.Range(0, n).ToArray();
        var random = new Random(seed);
        string metric = NetworkLoss.MetricName(kind);
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var started = clock.Elapsed;
            random.Shuffle(order);
            double lossSum = 0, metricSum = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(batchSize, n - start);
                var rows = order.AsSpan(start, count).ToArray();
                var x = OwnedTensor.From(rows.SelectMany(r => features.Features[r]).ToArray(), [count, .. shape]);
                var y = OwnedTensor.From(rows.Select(r => features.Targets[r]).ToArray());
                for (int i = head; i <= last; i++)
                {
                    x = network.Layer(i).forward(x);
                }
                optimizer.zero_grad();
                var loss = NetworkLoss.Compute(x, y, spec, kind);
                loss.backward();
                optimizer.step();
                lossSum += loss.ToDouble() * count;
                metricSum += NetworkLoss.MetricSum(x.detach(), y, kind);
            }
            double seconds = (clock.Elapsed - started).TotalSeconds;
            var progress = new TrainingProgress
            {
                Phase = 1,
                PhaseCount = 1,
                PhaseName = "head only",
                Epoch = epoch,
                EpochInPhase = epoch,
                EpochsInPhase = epochs,
                TrainLoss = lossSum / n,
                MetricName = metric,
                TrainMetric = metricSum / n,
                Seconds = seconds,
                EstimatedRemaining = TimeSpan.FromSeconds(seconds * (epochs - epoch)),
                IsBest = history.Epochs.All(e => e.TrainLoss > lossSum / n),
            };
            history.Add(progress);
            log?.Info(MessageSensitivity.None, progress.ToString());
        }
    }
}
