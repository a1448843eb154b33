using TorchSharp;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// RelevanceMaps' contract: the network is left as it was, the explained output is the predicted class's logit (or a
/// chosen one), batching and seeds do not change maps, integrated gradients are complete, occlusion of a linear
/// model is gradient × input, memory is released, and bad input is refused with a clear message.
/// </summary>
[TestClass]
public sealed class RelevanceMapsTests
{
    private static readonly int[] Shape = [12, 14, 12];

    private static MriNetModel Classifier(int classes = 3)
    {
        using var regression = new MriNetModel(new NetworkModule(Architectures.MriNet(Shape), seed: 6), ModelTask.Regression());
        var adapted = HeadAdapter.Adapt(regression, classes, seed: 8);
        adapted.Network.eval();
        return adapted;
    }

    private static MriNetModel Regressor() => new(new NetworkModule(Architectures.MriNet(Shape, batchNorm: true), seed: 6), ModelTask.Regression());

    private static float[] Images(int count) => RelevanceConservationTests.Images(count, Shape, seed: 11);

    [TestMethod]
    public void TheNetworkIsLeftAsItWas()
    {
        using var model = Regressor();
        model.Network.train();
        // A mixed state: the network trains but its dropout layer was put in eval mode by the caller.
        int dropout = model.Spec.Layers.Select((l, i) => (l, i)).First(x => x.l.Kind == LayerKind.Dropout).i;
        model.Network.Layer(dropout).eval();
        var before = model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var modes = model.Network.modules().Select(m => m.training).ToList();
        var images = Images(2);
        var copy = (float[])images.Clone();
        foreach (var method in new[] { RelevanceMethod.LrpPresetA, RelevanceMethod.LrpEpsilonPlusFlat, RelevanceMethod.Gradient, RelevanceMethod.SmoothGrad, RelevanceMethod.IntegratedGradients, RelevanceMethod.Occlusion })
        {
            _ = RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = method, Samples = 3, Steps = 3, PatchSize = 6, Stride = 6 });
        }
        CollectionAssert.AreEqual(modes, model.Network.modules().Select(m => m.training).ToList(), "every module's train/eval mode is restored");
        Assert.IsTrue(model.Network.training);
        Assert.IsFalse(model.Network.Layer(dropout).training);
        foreach (var (name, tensor) in model.Network.state_dict())
        {
            Assert.IsTrue(tensor.eq(before[name]).all().item<bool>(), $"{name} is unchanged (batch-norm statistics included: no train-mode pass ran)");
        }
        Assert.IsTrue(model.Network.parameters().All(p => p.grad is null), "no gradient reached the parameters");
        CollectionAssert.AreEqual(copy, images, "the images are not modified");
        foreach (var t in before.Values)
        {
            t.Dispose();
        }
    }

    [TestMethod]
    public void ThePredictedClassIsExplainedByDefaultAndItsLogitIsReported()
    {
        using var model = Classifier();
        var images = Images(4);
        float[] logits;
        using (no_grad())
        {
            using var scope = NewDisposeScope();
            var x = tensor(images, [4, 1, .. Shape.Select(d => (long)d)]);
            int beforeSoftmax = model.Spec.Layers.Count - 2;
            Assert.AreEqual(LayerKind.Softmax, model.Spec.Layers[^1].Kind);
            logits = model.Network.ForwardTo(x, beforeSoftmax).data<float>().ToArray();
        }
        foreach (var method in new[] { RelevanceMethod.LrpPresetA, RelevanceMethod.Gradient, RelevanceMethod.Occlusion })
        {
            var maps = RelevanceMaps.Compute(model, images, 4, new RelevanceOptions { Method = method, PatchSize = 6, Stride = 6 });
            for (int i = 0; i < 4; i++)
            {
                var row = logits.AsSpan(i * 3, 3).ToArray();
                int predicted = Array.IndexOf(row, row.Max());
                Assert.AreEqual(predicted, maps[i].Output, $"{method}: image {i} explains its predicted class");
                Assert.AreEqual(row[predicted], maps[i].OutputValue, 1e-5, $"{method}: the logit before the softmax");
            }
            var chosen = RelevanceMaps.Compute(model, images, 4, new RelevanceOptions { Method = method, Target = 2, PatchSize = 6, Stride = 6 });
            Assert.IsTrue(chosen.All(m => m.Output == 2), $"{method}: Target is honoured");
            Assert.AreEqual(logits[2], chosen[0].OutputValue, 1e-5);
        }
    }

    [TestMethod]
    public void BatchingAndSeedsDoNotChangeMaps()
    {
        using var model = Regressor();
        var images = Images(3);
        foreach (var method in new[] { RelevanceMethod.LrpPresetA, RelevanceMethod.LrpAlpha2Beta1, RelevanceMethod.SmoothGrad, RelevanceMethod.IntegratedGradients, RelevanceMethod.Occlusion })
        {
            var options = new RelevanceOptions { Method = method, Samples = 5, Steps = 5, PatchSize = 5, Stride = 4, Seed = 4 };
            var one = RelevanceMaps.Compute(model, images, 3, options with { BatchSize = 1 });
            var three = RelevanceMaps.Compute(model, images, 3, options with { BatchSize = 3 });
            for (int i = 0; i < 3; i++)
            {
                double scale = one[i].Values.Max(Math.Abs);
                Assert.IsGreaterThan(0, scale);
                // libtorch picks kernels by batch size, so sums differ in the last bits; occlusion's drops amplify that most.
                Assert.IsLessThan(1e-4 * scale, one[i].Values.Zip(three[i].Values, (a, b) => Math.Abs(a - b)).Max(), $"{method}: image {i} with batch size 1 and 3");
            }
        }
        var smooth = new RelevanceOptions { Method = RelevanceMethod.SmoothGrad, Samples = 4, Seed = 1 };
        var image = images[..(images.Length / 3)];
        var first = RelevanceMaps.Compute(model, image, 1, smooth);
        var again = RelevanceMaps.Compute(model, image, 1, smooth);
        var other = RelevanceMaps.Compute(model, image, 1, smooth with { Seed = 2 });
        CollectionAssert.AreEqual(first[0].Values, again[0].Values, "the same seed gives the same SmoothGrad map");
        CollectionAssert.AreNotEqual(first[0].Values, other[0].Values, "another seed draws other noise");
    }

    [TestMethod]
    public void IntegratedGradientsAreComplete()
    {
        using var model = Regressor();
        var images = Images(2);
        const float baseline = 0.2f;
        var maps = RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = RelevanceMethod.IntegratedGradients, Steps = 64, Baseline = baseline });
        var flat = RelevanceMaps.Compute(model, [.. Enumerable.Repeat(baseline, images.Length / 2)], 1, new RelevanceOptions { Method = RelevanceMethod.Gradient }).Single();
        foreach (var map in maps)
        {
            double gap = map.OutputValue - flat.OutputValue;
            Assert.IsGreaterThan(1e-3, Math.Abs(gap));
            Assert.AreEqual(gap, map.RelevanceSum, 0.02 * Math.Abs(gap), "Σ IG ≈ f(x) − f(baseline) (Sundararajan et al.'s completeness)");
        }
    }

    [TestMethod]
    public void OcclusionOfALinearModelWithSingleVoxelPatchesIsGradientTimesInput()
    {
        var spec = new NetworkSpec
        {
            Architecture = "linear",
            InputShape = [1, 3, 4, 5],
            Layers = [new LayerSpec { Kind = LayerKind.Flatten, Name = "flatten" }, new LayerSpec { Kind = LayerKind.Dense, Name = "unit", Units = 1 }],
        };
        using var model = new MriNetModel(new NetworkModule(spec, seed: 2), ModelTask.Regression());
        var images = RelevanceConservationTests.Images(1, [3, 4, 5], seed: 3);
        var occlusion = RelevanceMaps.Compute(model, images, 1, new RelevanceOptions { Method = RelevanceMethod.Occlusion, PatchSize = 1, Stride = 1, BatchSize = 7 }).Single();
        var gxi = RelevanceMaps.Compute(model, images, 1, new RelevanceOptions { Method = RelevanceMethod.GradientTimesInput }).Single();
        for (int i = 0; i < images.Length; i++)
        {
            Assert.AreEqual(gxi.Values[i], occlusion.Values[i], 1e-5, $"voxel {i}");
        }
        var wide = RelevanceMaps.Compute(model, images, 1, new RelevanceOptions { Method = RelevanceMethod.Occlusion, PatchSize = 2, Stride = 2 }).Single();
        Assert.IsTrue(wide.Values.All(v => v != 0) || images.Any(v => v == 0), "with a cube flush with each end, every voxel is covered");
    }

    [TestMethod]
    public void CubesCoverEveryVoxel()
    {
        CollectionAssert.AreEqual(new[] { 0, 3, 6 }, OcclusionAttribution.Starts(10, 4, 3));
        CollectionAssert.AreEqual(new[] { 0, 3, 6, 7 }, OcclusionAttribution.Starts(11, 4, 3));
        CollectionAssert.AreEqual(new[] { 0, 4 }, OcclusionAttribution.Starts(9, 5, 8));
        CollectionAssert.AreEqual(new[] { 0 }, OcclusionAttribution.Starts(4, 4, 2));
    }

    [TestMethod]
    public void NoTensorsAreLeftBehind()
    {
        using var model = Regressor();
        var images = Images(2);
        var all = Enum.GetValues<RelevanceMethod>();
        RelevanceOptions Options(RelevanceMethod m) => new() { Method = m, Samples = 2, Steps = 2, PatchSize = 6, Stride = 6 };
        foreach (var method in all)
        {
            _ = RelevanceMaps.Compute(model, images, 2, Options(method));
        }
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        foreach (var method in all)
        {
            _ = RelevanceMaps.Compute(model, images, 2, Options(method));
            Assert.AreEqual(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount, $"{method} leaves no tensor alive");
        }
    }

    [TestMethod]
    public void BadInputIsRefusedWithAClearMessage()
    {
        using var model = Classifier();
        var images = Images(2);
        var shape = Assert.ThrowsExactly<ArgumentException>(() => RelevanceMaps.Compute(model, images[..^10], 2));
        StringAssert.Contains(shape.Message, "[2, 1, 12, 14, 12]");
        StringAssert.Contains(shape.Message, $"{images.Length - 10} values");
        var split = Assert.ThrowsExactly<ArgumentException>(() => RelevanceMaps.Compute(model, images[..^2], 2));
        StringAssert.Contains(split.Message, $"[2, {(images.Length - 2) / 2}]");
        var nan = (float[])images.Clone();
        nan[2020] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => RelevanceMaps.Compute(model, nan, 2)).Message, "image 1 holds NaN");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 0));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Target = 3 })).Message, "3 output(s)");
        using (var regression = Regressor())
        {
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(regression, images, 2, new RelevanceOptions { Target = 1 })).Message, "Target 1");
        }
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = RelevanceMethod.Gradient, FirstLayerRule = LrpFirstLayerRule.Flat })).Message, "LRP methods only");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = RelevanceMethod.SmoothGrad, Samples = 0 })).Message, "Samples");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Epsilon = -1 })).Message, "Epsilon");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = (RelevanceMethod)99 }));
    }

    [TestMethod]
    public void ASoftmaxInsideTheNetworkNamesTheLayerAndTheMethod()
    {
        using var model = UnsupportedNetwork.ChannelSoftmax(4);
        var images = RelevanceConservationTests.Images(1, [4, 4, 4], seed: 1);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => RelevanceMaps.Compute(model, images, 1, new RelevanceOptions { Method = RelevanceMethod.LrpEpsilonPlusFlat }));
        StringAssert.Contains(error.Message, "'channel_softmax'");
        StringAssert.Contains(error.Message, "zennit's EpsilonPlusFlat");
        var gradient = RelevanceMaps.Compute(model, images, 1, new RelevanceOptions { Method = RelevanceMethod.Gradient }).Single();
        Assert.IsTrue(gradient.Values.Any(v => v != 0), "gradients pass through a softmax");
    }
}
