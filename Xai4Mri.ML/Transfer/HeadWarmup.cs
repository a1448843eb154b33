using Microsoft.ML.Runtime;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// Trains only the layers from the head on, on precomputed features of the layer below it (a linear probe): every
/// other weight stays exactly as it was. One phase of the <see cref="TrainingEngine"/> without validation; it ends
/// with the epoch of lowest training loss.
/// </summary>
internal static class HeadWarmup
{
    public static void Run(NetworkModule network, FrozenFeatures features, LabelKind kind, int epochs, double learningRate, int batchSize, int seed,
        Device device, TrainingHistory history, IChannel? log, Action? checkAlive)
    {
        int head = network.Spec.HeadIndex;
        var engine = new TrainingEngine(network, device, new TrainingEngineOptions
        {
            Kind = kind,
            FirstLayer = head,
            Seed = seed,
            Log = log,
            CheckAlive = checkAlive,
        });
        bool[] headOnly = [.. Enumerable.Range(0, network.Spec.Layers.Count).Select(i => i >= head)];
        var phase = new TrainingPhase(1, "head only", epochs, learningRate, headOnly);
        engine.Run([phase], new FeatureBatches(features.Features, features.Shape, features.Targets, batchSize, seed), history);
    }
}
