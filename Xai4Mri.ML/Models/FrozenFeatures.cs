using Microsoft.ML;
using TorchSharp;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Frozen features: the activations of one layer of a network that does not change, for every row with a label (in
/// evaluation mode, without gradients). The one computation behind the head warm-up, the source statistics and the
/// analysis's reference data; <c>MriNetFeaturize</c> gives the same features as an ML.NET column.
/// </summary>
/// <param name="Features">One flat array per row.</param>
/// <param name="Shape">The layer's output shape without the batch axis.</param>
/// <param name="Targets">Each row's target (value, or 0-based class index; 0 without a label).</param>
internal sealed record FrozenFeatures(float[][] Features, int[] Shape, float[] Targets)
{
    /// <summary>Runs <paramref name="network"/> to <paramref name="layer"/> over the image column on <paramref name="device"/>; its mode and device are restored.</summary>
    public static FrozenFeatures Compute(NetworkModule network, IDataView data, string imageColumn, LabelColumn? label, int layer, int batchSize, Device device)
    {
        var spec = network.Spec;
        int[] inputShape = spec.InputShape;
        int voxels = inputShape.Aggregate(1, (a, b) => a * b);
        var features = new List<float[]>();
        var targets = new List<float>();
        bool training = network.training;
        var home = network.parameters().FirstOrDefault()?.device ?? CPU;
        network.eval();
        network.to(device);
        try
        {
            using var _ = no_grad();
            foreach (var batch in ImageBatches.Read(data, imageColumn, label, batchSize, voxels))
            {
                using var scope = NewDisposeScope();
                var x = OwnedTensor.From(batch.Images, [batch.Count, .. inputShape.Select(d => (long)d)]).to(device);
                float[] values = network.ForwardTo(x, layer).reshape(batch.Count, -1).cpu().data<float>().ToArray();
                int length = values.Length / batch.Count;
                for (int i = 0; i < batch.Count; i++)
                {
                    features.Add(values.AsSpan(i * length, length).ToArray());
                    targets.Add(batch.Targets[i]);
                }
            }
        }
        finally
        {
            network.to(home);
            network.train(training);
        }
        return new FrozenFeatures([.. features], spec.Shapes()[layer], [.. targets]);
    }
}
