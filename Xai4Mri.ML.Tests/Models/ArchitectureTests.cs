using TorchSharp;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>MRInet and SFCN as TorchSharp networks: shapes, parameter counts (hand-computed), pooling semantics, training.</summary>
[TestClass]
public sealed class ArchitectureTests
{
    private static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    [TestMethod]
    public void MriNetShapesAndParameterCountsMatchTheKerasModel()
    {
        var spec = Architectures.MriNet([45, 54, 45]);
        // 'same' pooling with stride 2 halves each axis rounding up: 45→23→12→6→3→2, 54→27→14→7→4→2.
        CollectionAssert.AreEqual(new[] { 32, 2, 2, 2 }, spec.Shapes()[spec.Layers.ToList().FindIndex(l => l.Kind == LayerKind.Flatten) - 1]);
        CollectionAssert.AreEqual(new[] { 1 }, spec.OutputShape);
        using var net = new NetworkModule(spec, seed: 1);
        // conv 3³: 27·in·out + out; conv5 1³: 64·32 + 32; dense: 256·64 + 64; head 64 + 1.
        long expected = (27 * 16 + 16) + (27 * 16 * 16 + 16) + (27 * 16 * 32 + 32) + (27 * 32 * 64 + 64) + (64 * 32 + 32) + (256 * 64 + 64) + (64 + 1);
        Assert.AreEqual(expected, Parameters(net));

        using var scope = NewDisposeScope();
        net.eval();
        var output = net.forward(randn(new long[] { 3, 1, 45, 54, 45 }));
        CollectionAssert.AreEqual(new long[] { 3, 1 }, output.shape);
    }

    [TestMethod]
    public void ForwardToStopsAtTheRequestedLayer()
    {
        var spec = Architectures.MriNet([20, 24, 20]);
        using var net = new NetworkModule(spec, seed: 4);
        net.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(new long[] { 2, 1, 20, 24, 20 });
        int flatten = spec.Layers.ToList().FindIndex(l => l.Kind == LayerKind.Flatten);
        var features = net.ForwardTo(x, flatten);
        CollectionAssert.AreEqual(new long[] { 2, spec.Shapes()[flatten][0] }, features.shape);
        // Running the rest of the layers on those features gives the full forward pass.
        var y = features;
        for (int i = flatten + 1; i < spec.Layers.Count; i++)
        {
            y = net.Layer(i).forward(y);
        }
        Assert.IsTrue(y.allclose(net.forward(x), 0, 0));
    }

    [TestMethod]
    public void MriNetClassifierHasNoBiasAndSoftmaxRows()
    {
        var spec = Architectures.MriNet([20, 24, 20], classes: 3, leakyRelu: true, batchNorm: true);
        Assert.AreEqual(6, spec.Layers.Count(l => l.Kind == LayerKind.BatchNorm3d), "before each of 5 convs and before Flatten");
        Assert.IsFalse(spec.Layers[spec.HeadIndex].UseBias);
        Assert.AreEqual(LayerKind.Softmax, spec.Layers[^1].Kind);
        using var net = new NetworkModule(spec, seed: 2);
        using var scope = NewDisposeScope();
        net.eval();
        var p = net.forward(randn(new long[] { 4, 1, 20, 24, 20 }));
        CollectionAssert.AreEqual(new long[] { 4, 3 }, p.shape);
        var sums = p.sum(1).data<float>().ToArray();
        foreach (float s in sums)
        {
            Assert.AreEqual(1f, s, 1e-5f);
        }
    }

    [TestMethod]
    public void OneClassIsRejectedAsInXai4Mri()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Architectures.MriNet([10, 10, 10], classes: 1));
        StringAssert.Contains(e.Message, "single class");
    }

    [TestMethod]
    public void SfcnMatchesThePublishedShapeAndSize()
    {
        var spec = Architectures.Sfcn([160, 192, 160]);
        // Five 2³ poolings: 160x192x160 → 5x6x5, averaged away; 40 log-probability bins out.
        CollectionAssert.AreEqual(new[] { 5, 6, 5 }, spec.Layers.Single(l => l.Kind == LayerKind.AvgPool3d).Kernel);
        CollectionAssert.AreEqual(new[] { 40, 1, 1, 1 }, spec.OutputShape);
        using var net = new NetworkModule(spec);
        // conv (27·in·out + out) and batch norm (2·out) per block, then 64·40 + 40: 2,952,936 (Peng et al.: ~3 M).
        Assert.AreEqual(2_952_936, Parameters(net));

        using var small = new NetworkModule(Architectures.Sfcn([32, 32, 32]), seed: 3);
        using var scope = NewDisposeScope();
        small.eval();
        var logp = small.forward(randn(new long[] { 2, 1, 32, 32, 32 }));
        CollectionAssert.AreEqual(new long[] { 2, 40, 1, 1, 1 }, logp.shape);
        Assert.AreEqual(1.0, logp.exp().sum(1)[0].item<float>(), 1e-5);
    }

    [TestMethod]
    public void SamePaddedMaxPoolingFollowsTensorFlow()
    {
        var pool = new LayerSpec { Kind = LayerKind.MaxPool3d, Kernel = [3, 1, 1], Stride = [2, 1, 1], Padding = "same" };
        var spec = new NetworkSpec { InputShape = [1, 4, 1, 1], Layers = [pool] };
        using var net = new NetworkModule(spec);
        using var scope = NewDisposeScope();
        // Length 4: one padded voxel at the end → windows [0,1,2] and [2,3,pad].
        var four = net.forward(tensor(new float[] { 1, 5, 2, 7 }).reshape(1, 1, 4, 1, 1));
        CollectionAssert.AreEqual(new float[] { 5, 7 }, four.data<float>().ToArray());
        // Length 5: one padded voxel on each side → [pad,0,1], [1,2,3], [3,4,pad].
        using var net5 = new NetworkModule(spec with { InputShape = [1, 5, 1, 1] });
        var five = net5.forward(tensor(new float[] { -3, -1, -2, -4, -5 }).reshape(1, 1, 5, 1, 1));
        CollectionAssert.AreEqual(new float[] { -1, -1, -4 }, five.data<float>().ToArray());
    }

    [TestMethod]
    public void SameSeedSameWeightsAndTrainingReducesTheLoss()
    {
        var spec = Architectures.MriNet([16, 16, 16]);
        using var a = new NetworkModule(spec, seed: 42);
        using var b = new NetworkModule(spec, seed: 42);
        using var c = new NetworkModule(spec, seed: 43);
        var pa = a.parameters().ToList();
        var pb = b.parameters().ToList();
        Assert.IsTrue(pa.Zip(pb).All(t => t.First.allclose(t.Second, 0, 0)), "same seed, same initial weights");
        Assert.IsFalse(pa[0].allclose(c.parameters().First(), 0, 0));

        torch.manual_seed(7);
        using var scope = NewDisposeScope();
        // A learnable target: each sample's mean intensity (scaled), measured without dropout before and after.
        var x = randn(new long[] { 8, 1, 16, 16, 16 }) + arange(8, dtype: ScalarType.Float32).reshape(8, 1, 1, 1, 1);
        var y = x.mean([1, 2, 3, 4]).reshape(8, 1) * 10;
        float Loss()
        {
            a.eval();
            using var _ = no_grad();
            return nn.functional.mse_loss(a.forward(x), y).item<float>();
        }
        float first = Loss();
        var optimizer = optim.Adam(a.parameters(), 1e-3);
        for (int step = 0; step < 40; step++)
        {
            a.train();
            optimizer.zero_grad();
            nn.functional.mse_loss(a.forward(x), y).backward();
            optimizer.step();
        }
        float last = Loss();
        Assert.IsLessThan(first * 0.8f, last, $"loss {first} → {last}");
    }
}
