using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// Conservation: with biases at zero, LRP-ε (ε → 0), z⁺ and α1β0 hand all of the explained output to the voxels; with
/// biases, what they absorbed is reported layer by layer and equals the output minus the map's sum. A one-layer
/// network checks every rule against a hand computation.
/// </summary>
[TestClass]
public sealed class RelevanceConservationTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>Non-negative images with a zero background, from a seeded generator.</summary>
    internal static float[] Images(int count, int[] shape, int seed)
    {
        var random = new Random(seed);
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        return [.. Enumerable.Range(0, count * voxels).Select(_ => (float)Math.Max(0, (1.3 * random.NextDouble()) - 0.3))];
    }

    /// <summary>MRInet as built (Glorot kernels, zero biases) or SFCN whose batch norms fold to zero biases (mean 0, β 0) but random γ and variance.</summary>
    private static MriNetModel BiasFree(string architecture)
    {
        if (architecture == "MRInet")
        {
            return new MriNetModel(new NetworkModule(Architectures.MriNet([12, 14, 12]), seed: 4), ModelTask.Regression());
        }
        var network = new NetworkModule(Architectures.Sfcn([16, 16, 16], outputs: 3, channels: [4, 6, 8, 6]), seed: 4);
        var random = new Random(9);
        using (no_grad())
        {
            foreach (var (name, t) in network.state_dict())
            {
                if (name.EndsWith(".running_var", StringComparison.Ordinal) || (name.EndsWith(".weight", StringComparison.Ordinal) && t.dim() == 1))
                {
                    bool variance = name.EndsWith(".running_var", StringComparison.Ordinal);
                    t.copy_(tensor([.. Enumerable.Range(0, (int)t.numel()).Select(_ => (float)(variance ? 0.5 + random.NextDouble() : (2 * random.NextDouble()) - 0.6))]));
                }
            }
        }
        network.eval();
        return new MriNetModel(network, ModelTask.Classification(["a", "b", "c"]));
    }

    [TestMethod]
    [DataRow("MRInet", RelevanceMethod.LrpEpsilon)]
    [DataRow("MRInet", RelevanceMethod.LrpZPlus)]
    [DataRow("MRInet", RelevanceMethod.LrpAlpha1Beta0)]
    [DataRow("SFCN", RelevanceMethod.LrpEpsilon)]
    [DataRow("SFCN", RelevanceMethod.LrpZPlus)]
    [DataRow("SFCN", RelevanceMethod.LrpAlpha1Beta0)]
    public void WithoutBiasesTheMapSumsToTheOutput(string architecture, RelevanceMethod method)
    {
        using var model = BiasFree(architecture);
        var images = Images(3, model.InputShape, seed: 2);
        var maps = RelevanceMaps.Compute(model, images, 3, new RelevanceOptions { Method = method, Epsilon = 1e-9, Stabilizer = 1e-9 });
        foreach (var map in maps)
        {
            TestContext.WriteLine($"{architecture} {method}: output {map.OutputValue:G6}, sum {map.RelevanceSum:G6}, relative gap {(map.RelevanceSum - map.OutputValue) / map.OutputValue:E2}");
            Assert.IsGreaterThan(1e-3, Math.Abs(map.OutputValue), "the explained output is not zero");
            Assert.AreEqual(map.OutputValue, map.RelevanceSum, 1e-3 * Math.Abs(map.OutputValue), $"{architecture} {method}: conservation");
            Assert.AreEqual(0, map.Absorbed!.Value, 1e-3 * Math.Abs(map.OutputValue), $"{architecture} {method}: nothing absorbed");
        }
    }

    [TestMethod]
    [DataRow(RelevanceMethod.LrpEpsilon)]
    [DataRow(RelevanceMethod.LrpAlpha1Beta0)]
    [DataRow(RelevanceMethod.LrpPresetA)]
    [DataRow(RelevanceMethod.LrpEpsilonPlusFlat)]
    public void WhatBiasesAbsorbIsReportedLayerByLayer(RelevanceMethod method)
    {
        using var model = new MriNetModel(new NetworkModule(Architectures.MriNet([12, 14, 12]), seed: 4), ModelTask.Regression());
        var random = new Random(3);
        using (no_grad())
        {
            foreach (var (name, t) in model.Network.state_dict().Where(p => p.Key.EndsWith(".bias", StringComparison.Ordinal)))
            {
                t.copy_(tensor([.. Enumerable.Range(0, (int)t.numel()).Select(_ => (float)((0.2 * random.NextDouble()) - 0.05))]));
            }
        }
        var images = Images(2, model.InputShape, seed: 5);
        var maps = RelevanceMaps.Compute(model, images, 2, new RelevanceOptions { Method = method, Epsilon = method == RelevanceMethod.LrpEpsilon ? 1e-9 : null });
        var layers = model.Spec.Layers;
        foreach (var map in maps)
        {
            double output = Math.Abs(map.OutputValue);
            TestContext.WriteLine($"{method}: output {map.OutputValue:G6}, sum {map.RelevanceSum:G6}, absorbed {map.Absorbed:G6} ({string.Join(", ", map.AbsorbedByLayer!.Select((a, i) => (a, i)).Where(x => Math.Abs(x.a) > 1e-6 * output).Select(x => $"{layers[x.i].Name} {x.a:G3}"))})");
            Assert.AreEqual(map.OutputValue - map.RelevanceSum, map.Absorbed!.Value, 1e-4 * output, $"{method}: absorbed = output − sum");
            var byLayer = map.AbsorbedByLayer!;
            Assert.HasCount(layers.Count, byLayer);
            Assert.AreEqual(map.Absorbed.Value, byLayer.Sum(), 1e-9 * output, "the per-layer amounts add up");
            Assert.IsGreaterThan(1e-3 * output, Math.Abs(map.Absorbed.Value), "with biases, some relevance is absorbed");
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i].Kind is LayerKind.MaxPool3d or LayerKind.Flatten or LayerKind.Dropout || (layers[i].Kind == LayerKind.Relu && method != RelevanceMethod.LrpPresetA))
                {
                    Assert.AreEqual(0, byLayer[i], 1e-5 * output, $"{method}: layer '{layers[i].Name}' has no bias and conserves");
                }
            }
            Assert.IsGreaterThan(1e-6 * output, byLayer.Where((_, i) => layers[i].Kind == LayerKind.Conv3d).Sum(Math.Abs), "the convolutions' biases absorb");
        }
    }

    /// <summary>x = 1…8 into one dense unit with weights of both signs and bias b: every rule by hand.</summary>
    [TestMethod]
    [DataRow(RelevanceMethod.LrpEpsilon, LrpFirstLayerRule.Default, 0.5)]
    [DataRow(RelevanceMethod.LrpEpsilon, LrpFirstLayerRule.Default, -0.5)]
    [DataRow(RelevanceMethod.LrpZPlus, LrpFirstLayerRule.Default, 0.5)]
    [DataRow(RelevanceMethod.LrpAlpha1Beta0, LrpFirstLayerRule.Default, 0.5)]
    [DataRow(RelevanceMethod.LrpAlpha1Beta0, LrpFirstLayerRule.Default, -0.5)]
    [DataRow(RelevanceMethod.LrpAlpha2Beta1, LrpFirstLayerRule.Default, 0.5)]
    [DataRow(RelevanceMethod.LrpAlpha2Beta1, LrpFirstLayerRule.Default, -0.5)]
    [DataRow(RelevanceMethod.LrpPresetA, LrpFirstLayerRule.Default, 0.5)]
    [DataRow(RelevanceMethod.LrpEpsilon, LrpFirstLayerRule.Flat, 0.5)]
    [DataRow(RelevanceMethod.LrpEpsilon, LrpFirstLayerRule.WSquare, 0.5)]
    public void OneDenseLayerMatchesTheRulesByHand(RelevanceMethod method, LrpFirstLayerRule first, double bias)
    {
        double[] w = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8];
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        var spec = new NetworkSpec
        {
            Architecture = "linear",
            InputShape = [1, 2, 2, 2],
            Layers = [new LayerSpec { Kind = LayerKind.Flatten, Name = "flatten" }, new LayerSpec { Kind = LayerKind.Dense, Name = "unit", Units = 1 }],
        };
        using var model = new MriNetModel(new NetworkModule(spec), ModelTask.Regression());
        var state = model.Network.state_dict();
        using (no_grad())
        {
            state["layers.1.weight"].copy_(tensor(w.Select(v => (float)v).ToArray(), [1, 8]));
            state["layers.1.bias"].fill_(bias);
        }
        double[] z = [.. x.Zip(w, (a, b) => a * (double)(float)b)];
        double y = z.Sum() + bias, positive = z.Where(v => v > 0).Sum(), negative = z.Where(v => v < 0).Sum();
        double bp = Math.Max(bias, 0), bn = Math.Min(bias, 0);
        double epsilon = method == RelevanceMethod.LrpPresetA ? 0.1 : 1e-6;
        double[] expected = first switch
        {
            LrpFirstLayerRule.Flat => [.. x.Select(_ => y / 8)],
            LrpFirstLayerRule.WSquare => [.. w.Select(v => v * v / w.Sum(u => u * u) * y)],
            _ => method switch
            {
                RelevanceMethod.LrpEpsilon or RelevanceMethod.LrpPresetA => [.. z.Select(v => v / (y + (Math.Sign(y) * epsilon)) * y)],
                RelevanceMethod.LrpZPlus => [.. z.Select(v => Math.Max(v, 0) / positive * y)],
                RelevanceMethod.LrpAlpha1Beta0 => [.. z.Select(v => Math.Max(v, 0) / (positive + bp) * y)],
                _ => [.. z.Select(v => ((2 * Math.Max(v, 0) / (positive + bp)) - (Math.Min(v, 0) / (negative + bn))) * y)],
            },
        };
        var map = RelevanceMaps.Compute(model, [.. x.Select(v => (float)v)], 1, new RelevanceOptions { Method = method, FirstLayerRule = first }).Single();
        Assert.AreEqual(y, map.OutputValue, 1e-5);
        for (int i = 0; i < 8; i++)
        {
            Assert.AreEqual(expected[i], map.Values[i], 1e-5 * Math.Abs(y), $"{method}/{first}, bias {bias}: voxel {i}");
        }
        Assert.AreEqual(y - expected.Sum(), map.Absorbed!.Value, 1e-5 * Math.Abs(y), "absorbed");
    }
}
