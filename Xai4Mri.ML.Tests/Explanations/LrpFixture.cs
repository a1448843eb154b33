using System.Text.Json;
using System.Text.Json.Nodes;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// The PyTorch reference of Fixtures/lrp (make_lrp_reference.py): the networks as the tests build them, filled with
/// the fixture's generated weights, its inputs and its expected maps.
/// </summary>
internal static class LrpFixture
{
    private static readonly Lazy<JsonElement> Networks = new(() => JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("lrp/networks.json"))).RootElement);

    private static readonly Lazy<JsonElement> Reference = new(() => JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("lrp/reference.json"))).RootElement);

    private static readonly Lazy<float[]> Blob = new(() =>
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Fixture("lrp/reference.f32"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    });

    public static JsonElement Cases => Reference.Value.GetProperty("cases");

    /// <summary>The network descriptions the fixture was made from, built as users build them.</summary>
    public static NetworkSpec Spec(string name)
    {
        var sfcn = Architectures.Sfcn([8, 10, 8], outputs: 5, channels: [4, 6, 6]);
        return name switch
        {
            "mrinet" => Architectures.MriNet([10, 12, 10]),
            "mrinet_bn_2class" => Adapt(Architectures.MriNet([10, 12, 10], batchNorm: true), 2),
            "mrinet_leaky_3class" => Adapt(Architectures.MriNet([10, 12, 10], leakyRelu: true), 3),
            "sfcn_bins" => sfcn,
            "sfcn_regression" => Adapt(sfcn, 0),
            _ => throw new ArgumentException(name),
        };
    }

    private static NetworkSpec Adapt(NetworkSpec spec, int classes)
    {
        using var model = new MriNetModel(new NetworkModule(spec), ModelTask.Regression());
        using var adapted = HeadAdapter.Adapt(model, classes);
        return adapted.Spec;
    }

    /// <summary>The model of fixture network <paramref name="name"/> with the reference's weights (after checking its description is the fixture's).</summary>
    public static MriNetModel Model(string name)
    {
        var spec = Spec(name);
        var described = Networks.Value.GetProperty(name);
        Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse(spec.ToJson()), JsonNode.Parse(described.GetProperty("spec").GetRawText())), $"{name}: the network the tests build differs from networks.json");
        var network = new NetworkModule(spec);
        var state = network.state_dict();
        var recipe = Reference.Value.GetProperty("networks").GetProperty(name).GetProperty("weights").EnumerateArray().ToList();
        Assert.AreEqual(state.Keys.Count(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)), recipe.Count, $"{name}: tensors");
        using (no_grad())
        {
            foreach (var r in recipe)
            {
                var target = state[r.GetProperty("name").GetString()!];
                var random = new DeterministicRandom(r.GetProperty("seed").GetInt32(), r.GetProperty("subject").GetInt32(), RandomStream.Noise);
                double low = r.GetProperty("low").GetDouble(), high = r.GetProperty("high").GetDouble();
                var values = new float[target.numel()];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)random.Uniform(low, high);
                }
                CollectionAssert.AreEqual(target.shape, r.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());
                target.copy_(tensor(values, target.shape));
            }
        }
        network.eval();
        int outputs = spec.OutputShape.Aggregate(1, (a, b) => a * b);
        var task = spec.Layers[^1].Kind is LayerKind.Softmax or LayerKind.LogSoftmax
            ? ModelTask.Classification(Enumerable.Range(0, outputs).Select(i => $"class {i}"))
            : ModelTask.Regression();
        return new MriNetModel(network, task);
    }

    /// <summary>The fixture's images of network <paramref name="name"/> and their count.</summary>
    public static (float[] Images, int Count) Images(string name)
    {
        var network = Reference.Value.GetProperty("networks").GetProperty(name);
        int count = network.GetProperty("images").GetInt32();
        int voxels = Spec(name).InputShape.Aggregate(1, (a, b) => a * b);
        return (Blob.Value.AsSpan(network.GetProperty("input_offset").GetInt32(), count * voxels).ToArray(), count);
    }

    /// <summary>PyTorch's outputs (after any softmax) for the fixture's images.</summary>
    public static float[] Outputs(string name) =>
        [.. Reference.Value.GetProperty("networks").GetProperty(name).GetProperty("output").EnumerateArray().Select(v => v.GetSingle())];

    /// <summary>The expected maps of a case, one array per image.</summary>
    public static float[][] Maps(JsonElement c, int count, int voxels) =>
        [.. Enumerable.Range(0, count).Select(i => Blob.Value.AsSpan(c.GetProperty("offset").GetInt32() + (i * voxels), voxels).ToArray())];

    /// <summary>The case's options as a <see cref="RelevanceOptions"/>.</summary>
    public static RelevanceOptions Options(JsonElement c)
    {
        var o = new RelevanceOptions { Method = Enum.Parse<RelevanceMethod>(c.GetProperty("method").GetString()!) };
        foreach (var p in c.GetProperty("options").EnumerateObject())
        {
            o = p.Name switch
            {
                "Epsilon" => o with { Epsilon = p.Value.GetDouble() },
                "FirstLayerRule" => o with { FirstLayerRule = Enum.Parse<LrpFirstLayerRule>(p.Value.GetString()!) },
                "Target" => o with { Target = p.Value.GetInt32() },
                "NoiseLevel" => o with { NoiseLevel = p.Value.GetDouble() },
                "Samples" => o with { Samples = p.Value.GetInt32() },
                "Seed" => o with { Seed = p.Value.GetInt32() },
                "BatchSize" => o with { BatchSize = p.Value.GetInt32() },
                "Steps" => o with { Steps = p.Value.GetInt32() },
                "Baseline" => o with { Baseline = p.Value.GetSingle() },
                "PatchSize" => o with { PatchSize = p.Value.GetInt32() },
                "Stride" => o with { Stride = p.Value.GetInt32() },
                "FillValue" => o with { FillValue = p.Value.GetSingle() },
                _ => throw new ArgumentException($"unknown option {p.Name}"),
            };
        }
        return o;
    }
}
