using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Volumes;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// ONNX export checked against ONNX Runtime (an independent implementation of every node), and import checked by
/// round trips and by graphs it must refuse.
/// </summary>
[TestClass]
public sealed class OnnxExportImportTests
{
    /// <summary>The networks under test: MRInet for regression, the batch-norm LeakyReLU classifier, and SFCN (small inputs, fewer channels).</summary>
    private static NetworkSpec Spec(string name) => name switch
    {
        // 20×24×20 gives asymmetric 'same' pooling pads (20 → pads 0 and 1) as well as symmetric ones (5 → 1 and 1).
        "mrinet-regression" => Architectures.MriNet([20, 24, 20]),
        "mrinet-classifier" => Architectures.MriNet([20, 24, 20], classes: 3, leakyRelu: true, batchNorm: true),
        // SFCN's layers and order with fewer channels: the node set is what matters, and the tests stay quick.
        "sfcn" => Architectures.Sfcn([32, 32, 32], outputs: 10, channels: [8, 16, 16, 32, 32, 16]),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// A seeded network with non-zero biases and batch-norm statistics far from (0, 1), so that a wrong epsilon, a
    /// swapped mean/variance or a dropped bias shows in the outputs.
    /// </summary>
    private static NetworkModule Network(NetworkSpec spec, long seed)
    {
        var network = new NetworkModule(spec, seed);
        using var generator = new Generator((ulong)seed + 1000);
        using (no_grad())
        {
            foreach (var (name, tensor) in network.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter)).Concat(network.named_buffers()))
            {
                var kind = spec.Layers[int.Parse(name.Split('.')[1])].Kind;
                switch (name.Split('.')[2])
                {
                    case "bias" or "running_mean":
                        tensor.uniform_(-0.5, 0.5, generator);
                        break;
                    case "weight" when kind == LayerKind.BatchNorm3d:
                        tensor.uniform_(0.5, 1.5, generator);
                        break;
                    case "running_var":
                        tensor.uniform_(0.5, 2.0, generator);
                        break;
                }
            }
        }
        network.eval();
        return network;
    }

    private static float[] Torch(NetworkModule network, float[] input, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return network.forward(tensor(input, shape)).data<float>().ToArray();
    }

    private static float[] Ort(byte[] model, float[] input, long[] shape)
    {
        using var session = new InferenceSession(model);
        var tensor = new DenseTensor<float>(input, [.. shape.Select(d => (int)d)]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        return [.. results.Single().AsEnumerable<float>()];
    }

    private static (float[] Values, long[] Shape) RandomInput(NetworkSpec spec, int seed)
    {
        long[] shape = [2, .. spec.InputShape];
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 4) - 2);
        }
        return (values, shape);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}[{i}]");
        }
    }

    [TestMethod]
    [DataRow("mrinet-regression")]
    [DataRow("mrinet-classifier")]
    [DataRow("sfcn")]
    public void OnnxRuntimeMatchesTorchSharp(string name)
    {
        var spec = Spec(name);
        using var network = Network(spec, seed: 11);
        byte[] model = OnnxExporter.ExportBytes(network);
        var (input, shape) = RandomInput(spec, seed: 5);
        float[] expected = Torch(network, input, shape);
        Assert.IsTrue(expected.Distinct().Count() > 1 && expected.All(float.IsFinite), "a meaningful reference output");
        AssertClose(expected, Ort(model, input, shape), 1e-4, name);

        using var session = new InferenceSession(model);
        var output = session.OutputMetadata["output"];
        CollectionAssert.AreEqual((int[])[-1, .. spec.OutputShape], output.Dimensions, "declared output shape, symbolic batch");
        Assert.AreEqual("batch", output.SymbolicDimensions[0]);
        CollectionAssert.AreEqual((int[])[-1, .. spec.InputShape], session.InputMetadata["input"].Dimensions);
    }

    [TestMethod]
    [DataRow("mrinet-regression")]
    [DataRow("mrinet-classifier")]
    [DataRow("sfcn")]
    public void ExportThenImportRestoresSpecWeightsAndOutputs(string name)
    {
        var spec = Spec(name);
        using var network = Network(spec, seed: 12);
        using var imported = OnnxImporter.Load(OnnxExporter.ExportBytes(network));
        Assert.AreEqual(spec.ToJson(), imported.Spec.ToJson(), "the stored description, names and Dropout layers included");
        var original = network.state_dict();
        foreach (var (key, value) in imported.state_dict())
        {
            Assert.IsTrue(key.EndsWith("num_batches_tracked", StringComparison.Ordinal) || value.allclose(original[key], 0, 0), key);
        }
        var (input, shape) = RandomInput(spec, seed: 6);
        AssertClose(Torch(network, input, shape), Torch(imported, input, shape), 1e-6, name);
    }

    [TestMethod]
    public void GraphsUseTheAgreedNodesAndAttributes()
    {
        using var classifier = Network(Spec("mrinet-classifier"), seed: 17);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(classifier));
        Assert.AreEqual(8L, model.IrVersion);
        Assert.AreEqual(13L, model.OpsetImport.Single().Version);
        CollectionAssert.AreEquivalent(
            new[] { "BatchNormalization", "Conv", "LeakyRelu", "MaxPool", "Relu", "Flatten", "Gemm", "Softmax" },
            model.Graph.Node.Select(n => n.OpType).Distinct().ToArray(), "Dropout omitted");
        var gemms = model.Graph.Node.Where(n => n.OpType == "Gemm").ToList();
        Assert.HasCount(3, gemms[0].Input, "Dense 64 with bias");
        Assert.HasCount(2, gemms[1].Input, "the classifier head has no bias, so no C input");
        Assert.IsTrue(gemms.All(g => g.Attribute.Single(a => a.Name == "transB").I == 1));
        var norm = model.Graph.Node.First(n => n.OpType == "BatchNormalization");
        Assert.AreEqual(1e-3f, norm.Attribute.Single(a => a.Name == "epsilon").F);
        Assert.AreEqual(1, model.Graph.Node.Single(n => n.OpType == "Softmax").Attribute.Single(a => a.Name == "axis").I);
        Assert.IsTrue(model.Graph.Initializer.All(t => t.DataType == 1), "float32 weights");

        using var sfcn = Network(Spec("sfcn"), seed: 18);
        var average = ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(sfcn)).Graph.Node.Single(n => n.OpType == "AveragePool");
        Assert.AreEqual(0, average.Attribute.Single(a => a.Name == "count_include_pad").I);
    }

    [TestMethod]
    public void WithoutTheStoredDescriptionLayersComeFromTheNodes()
    {
        var spec = Spec("mrinet-classifier");
        using var network = Network(spec, seed: 13);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(network));
        model.MetadataProps.Clear();
        using var imported = OnnxImporter.Load(model.ToByteArray());

        // Dropout is not in the graph; everything else comes back, 'same' pooling recovered from the pads.
        var expected = spec.Layers.Where(l => l.Kind != LayerKind.Dropout).ToList();
        Assert.HasCount(expected.Count, imported.Spec.Layers);
        foreach (var (want, got) in expected.Zip(imported.Spec.Layers))
        {
            Assert.AreEqual(want.Name, got.Name);
            Assert.AreEqual(want.Kind, got.Kind, want.Name);
            // A 1³ window pads nothing under either rule, so 'same' and 'valid' are one graph.
            Assert.AreEqual(want.Padding == "same" && want.Kernel.All(k => k == 1) ? "valid" : want.Padding, got.Padding, want.Name);
            Assert.AreEqual(want.Units, got.Units, want.Name);
            Assert.AreEqual(want.UseBias, got.UseBias, want.Name);
            Assert.AreEqual(want.Epsilon, got.Epsilon, want.Name);
            Assert.AreEqual(want.Momentum, got.Momentum, want.Name);
            Assert.AreEqual(want.Alpha, got.Alpha, want.Name);
        }
        var (input, shape) = RandomInput(spec, seed: 7);
        AssertClose(Torch(network, input, shape), Torch(imported, input, shape), 1e-6, "node-derived network");
    }

    [TestMethod]
    public void WhenTheStoredDescriptionDisagreesWithTheGraphTheGraphWins()
    {
        var spec = Spec("mrinet-classifier");
        using var network = Network(spec, seed: 20);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(network));
        model.Graph.Node.First(n => n.OpType == "LeakyRelu").Attribute.Single(a => a.Name == "alpha").F = 0.3f;
        using var imported = OnnxImporter.Load(model.ToByteArray());
        Assert.AreEqual(0.3, imported.Spec.Layers.First(l => l.Kind == LayerKind.LeakyRelu).Alpha);
        Assert.IsFalse(imported.Spec.Layers.Any(l => l.Kind == LayerKind.Dropout), "the node-derived description");
        var (input, shape) = RandomInput(spec, seed: 10);
        AssertClose(Ort(model.ToByteArray(), input, shape), Torch(imported, input, shape), 1e-4, "what ONNX Runtime computes");
    }

    [TestMethod]
    public void SymmetricPadsThatAreNotTensorFlowsComeBackExplicitAndSameUpperMeansSame()
    {
        // Length 20, window 3, stride 2: TensorFlow pads (0, 1); pads (1, 1) are a different, explicit, pooling.
        var spec = new NetworkSpec
        {
            InputShape = [2, 20, 20, 20],
            Layers =
            [
                new LayerSpec { Kind = LayerKind.MaxPool3d, Name = "explicit", Kernel = [3, 3, 3], Stride = [2, 2, 2], Padding = "explicit", Pad = [1, 1, 1] },
                new LayerSpec { Kind = LayerKind.MaxPool3d, Name = "same", Kernel = [3, 3, 3], Stride = [2, 2, 2], Padding = "same" },
                new LayerSpec { Kind = LayerKind.AvgPool3d, Name = "average", Kernel = [3, 3, 3], Stride = [1, 1, 1], Padding = "explicit", Pad = [1, 1, 1] },
            ],
        };
        using var network = Network(spec, seed: 14);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(network));
        model.MetadataProps.Clear();
        var (input, shape) = RandomInput(spec, seed: 8);
        float[] expected = Torch(network, input, shape);
        // Average pooling at the border divides by the voxels inside the volume only.
        AssertClose(expected, Ort(model.ToByteArray(), input, shape), 1e-5, "explicit pads");
        using (var imported = OnnxImporter.Load(model.ToByteArray()))
        {
            CollectionAssert.AreEqual(new[] { "explicit", "same", "explicit" }, imported.Spec.Layers.Select(l => l.Padding).ToArray());
            CollectionAssert.AreEqual(new[] { 1, 1, 1 }, imported.Spec.Layers[0].Pad);
        }

        // auto_pad SAME_UPPER instead of the pads: ONNX Runtime computes the same, and it imports as 'same'.
        var same = model.Graph.Node[1];
        same.Attribute.Remove(same.Attribute.Single(a => a.Name == "pads"));
        same.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_UPPER") });
        AssertClose(expected, Ort(model.ToByteArray(), input, shape), 1e-5, "auto_pad SAME_UPPER");
        using var autoPadded = OnnxImporter.Load(model.ToByteArray());
        Assert.AreEqual("same", autoPadded.Spec.Layers[1].Padding);
        AssertClose(expected, Torch(autoPadded, input, shape), 1e-6, "imported");
    }

    private sealed class Volume
    {
        [ColumnName("input"), VectorType(20 * 24 * 20)]
        public float[] Voxels { get; set; } = [];
    }

    private sealed class Scored
    {
        [ColumnName("output")]
        public float[] Output { get; set; } = [];
    }

    [TestMethod]
    public void MlNetAppliesTheExportedGraphToAKnownSizeColumn()
    {
        // The symbolic batch lets ML.NET feed one row at a time from a fixed-size vector column.
        var spec = Spec("mrinet-regression");
        using var network = Network(spec, seed: 19);
        using var bytes = new MemoryStream(OnnxExporter.ExportBytes(network));
        var (input, shape) = RandomInput(spec, seed: 9);
        int size = input.Length / 2;
        var rows = new[] { new Volume { Voxels = input[..size] }, new Volume { Voxels = input[size..] } };
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ApplyOnnxModel("output", "input", bytes).Fit(data);
        float[] scores = [.. ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).SelectMany(r => r.Output)];
        AssertClose(Torch(network, input, shape), scores, 1e-4, "ML.NET");
    }

    [TestMethod]
    public void PathStreamAndBytesAgreeAndMetadataIsKept()
    {
        using var dir = TestPaths.Scratch();
        using var network = Network(Spec("sfcn"), seed: 15);
        var options = new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["target"] = "age in years" } };
        string path = dir.File("sfcn.onnx");
        OnnxExporter.Export(network, path, options);
        using var stream = new MemoryStream();
        OnnxExporter.Export(network, stream, options);
        CollectionAssert.AreEqual(OnnxExporter.ExportBytes(network, options), File.ReadAllBytes(path));
        CollectionAssert.AreEqual(stream.ToArray(), File.ReadAllBytes(path));

        var metadata = OnnxImporter.ReadMetadata(path);
        Assert.AreEqual("age in years", metadata["target"]);
        Assert.AreEqual(network.Spec.ToJson(), metadata[OnnxExporter.SpecMetadataKey]);
        using var loaded = OnnxImporter.Load(path);
        Assert.AreEqual("SFCN", loaded.Spec.Architecture);

        var reserved = new OnnxExportOptions { Metadata = new Dictionary<string, string> { [OnnxExporter.SpecMetadataKey] = "{}" } };
        Assert.ThrowsExactly<ArgumentException>(() => OnnxExporter.ExportBytes(network, reserved));
    }

    [TestMethod]
    public void CorruptOrMissingFilesAreModelFormatExceptions()
    {
        using var dir = TestPaths.Scratch();
        using var network = Network(Spec("mrinet-regression"), seed: 16);
        byte[] model = OnnxExporter.ExportBytes(network);
        string truncated = dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, model[..(model.Length / 2)]);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(truncated));
        StringAssert.StartsWith(e.Message, truncated + ": ");

        var random = new byte[4096];
        new Random(3).NextBytes(random);
        Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(random, "random.onnx"));
        Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load([], "empty.onnx"));
        var missing = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(dir.File("missing.onnx")));
        Assert.IsInstanceOfType<FileNotFoundException>(missing.InnerException);
    }

    /// <summary>A hand-built graph: input [batch, 1, 4, 4, 4] through the given single-input nodes.</summary>
    private static byte[] Graph(params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "hand-built" };
        graph.Node.AddRange(nodes);
        graph.Input.Add(Value("input"));
        graph.Output.Add(Value(nodes[^1].Output[0]));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();

        static ValueInfoProto Value(string name)
        {
            var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } };
            type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
            foreach (int d in new[] { 1, 4, 4, 4 })
            {
                type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            }
            return new ValueInfoProto { Name = name, Type = type };
        }
    }

    private static NodeProto Node(string op, string input, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    [TestMethod]
    public void GraphsOutsideTheLayerSetAreRefusedClearly()
    {
        var relu = Node("Relu", "input", "r");
        using (var ok = OnnxImporter.Load(Graph(relu, Node("Relu", "r", "output"))))
        {
            Assert.AreEqual(LayerKind.Relu, ok.Spec.Layers[1].Kind);
        }

        var unknown = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(Graph(relu, Node("Sigmoid", "r", "output")), "sigmoid.onnx"));
        StringAssert.StartsWith(unknown.Message, "sigmoid.onnx: ");
        StringAssert.Contains(unknown.Message, "operator Sigmoid is not supported");

        var branch = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(Graph(relu, Node("Relu", "input", "output"))));
        StringAssert.Contains(branch.Message, "not a chain");

        var flattenAxis = new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 2 };
        var axis = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(Graph(Node("Flatten", "input", "output", flattenAxis))));
        StringAssert.Contains(axis.Message, "axis 1");

        var wide = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2, 2, 2, 2, 2 } };
        var kernel = new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3, 3, 3 } };
        var pads = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(Graph(Node("MaxPool", "input", "output", kernel, wide))));
        StringAssert.Contains(pads.Message, "larger than half the window");

        var sameName = Node("Relu", "r", "r2");
        sameName.Name = relu.Name;
        using (var renamed = OnnxImporter.Load(Graph(relu, sameName, Node("Relu", "r2", "output"))))
        {
            Assert.AreEqual(3, renamed.Spec.Layers.Select(l => l.Name).Distinct().Count(), "repeated node names made unique");
        }

        var old = ModelProto.Parser.ParseFrom(Graph(relu, Node("Relu", "r", "output")));
        old.OpsetImport[0].Version = 11;
        var opset = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(old.ToByteArray()));
        StringAssert.Contains(opset.Message, "opset 11 is not supported");

        var extra = new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 2 };
        var attribute = Assert.ThrowsExactly<ModelFormatException>(() => OnnxImporter.Load(Graph(Node("Relu", "input", "output", extra))));
        StringAssert.Contains(attribute.Message, "attribute 'beta' is not supported");
    }
}
