using Microsoft.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>Activations of one layer of a network for every row with a label (the network in evaluation mode, no gradients).</summary>
internal static class FrozenFeatures
{
    public sealed record Result(float[][] Features, int[] Shape, float[] Targets);

    public static Result Compute(SpecNetwork network, IDataView data, string imageColumn, LabelColumn? label, int lastLayer, int batchSize, Device device)
    {
        var spec = network.Spec;
        int[] inputShape = spec.InputShape;
        int voxels = inputShape.Aggregate(1, (a, b) => a * b);
        int[] shape = spec.Shapes()[lastLayer];
        var features = new List<float[]>();
        var targets = new List<float>();
        network.eval();
        using var _ = no_grad();
        foreach (var batch in ImageBatches.Read(data, imageColumn, label, batchSize, voxels))
        {
            using var scope = NewDisposeScope();
            var x = OwnedTensor.From(batch.Images, [batch.Count, .. inputShape.Select(d => (long)d)]).to(device);
            var output = network.ForwardTo(x, lastLayer).reshape(batch.Count, -1).cpu();
            float[] values = output.data<float>().ToArray();
            int length = values.Length / batch.Count;
            for (int i = 0; i < batch.Count; i++)
            {
                features.Add(values.AsSpan(i * length, length).ToArray());
                targets.Add(batch.Targets[i]);
            }
        }
        return new Result([.. features], shape, [.. targets]);
    }
}
