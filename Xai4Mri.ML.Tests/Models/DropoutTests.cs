using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>Dropout layers draw their masks from the network's own seeded generator, not libtorch's global one.</summary>
[TestClass]
public sealed class DropoutTests
{
    private static readonly NetworkSpec Spec = new()
    {
        InputShape = [1000],
        Layers = [new LayerSpec { Kind = LayerKind.Dropout, Name = "dropout", Rate = 0.5 }],
    };

    private static float[] Run(NetworkModule network, long? seed)
    {
        if (seed is { } s)
        {
            network.SeedDropout(s);
        }
        using var x = ones(4, 1000);
        using var y = network.forward(x);
        return y.data<float>().ToArray();
    }

    [TestMethod]
    public void MasksFollowTheSeedAndScaleTheKeptUnits()
    {
        using var network = new NetworkModule(Spec);
        network.train();

        float[] first = Run(network, 7);
        // Draws from the global generator in between must not change the next seeded mask.
        using (var noise = rand(1000))
        {
            manual_seed(123);
        }
        float[] again = Run(network, 7);
        float[] other = Run(network, 8);

        CollectionAssert.AreEqual(first, again);
        CollectionAssert.AreNotEqual(first, other);
        Assert.IsTrue(first.All(v => v is 0f or 2f), "inverted dropout: kept units are scaled by 1 / (1 − 0.5)");
        double zeros = first.Count(v => v == 0) / (double)first.Length;
        Assert.IsTrue(zeros is > 0.45 and < 0.55, $"share dropped {zeros}");

        network.eval();
        Assert.IsTrue(Run(network, null).All(v => v == 1f), "evaluation mode is the identity");
    }
}
