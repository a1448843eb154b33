using System.Text.Json;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// Keras .h5 import against fixtures written in tf.keras' legacy layout with h5py, and outputs from an independent
/// channels-last NumPy forward pass (Fixtures/keras/make_keras_fixtures.py, PROVENANCE.md).
/// </summary>
[TestClass]
public sealed class KerasImporterTests
{
    private static string Keras(string file) => TestPaths.Fixture(Path.Combine("keras", file));

    private static JsonElement Expected(string file) =>
        JsonDocument.Parse(File.ReadAllText(Keras("expected.json"))).RootElement.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("file").GetString() == file);

    [TestMethod]
    [DataRow("mrinet_regression.h5", "mrinet_regression.h5")]
    [DataRow("mrinet_classifier.h5", "mrinet_classifier.h5")]
    [DataRow("sfcn_small.h5", "sfcn_small.h5")]
    [DataRow("mrinet_functional.h5", "mrinet_regression.h5")] // the same model and weights, saved as Functional
    public void OutputsMatchTheNumPyReference(string file, string reference)
    {
        var expected = Expected(reference);
        int[] shape = expected.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float scale = expected.GetProperty("input_scale").GetSingle();
        int[] outputShape = expected.GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var model = KerasImporter.Load(Keras(file));
        using var network = model.Network;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (input, output) in expected.GetProperty("inputs").EnumerateArray().Zip(expected.GetProperty("outputs").EnumerateArray()))
        {
            float[] voxels = Convert.FromBase64String(input.GetString()!).Select(b => b * scale).ToArray();
            var y = network.forward(tensor(voxels).reshape(1, 1, shape[0], shape[1], shape[2]));
            // The reference is channels-last; a spatial output map is compared in that order.
            var channelsLast = y.dim() == 5 ? y.permute(0, 2, 3, 4, 1) : y;
            CollectionAssert.AreEqual(outputShape.Select(d => (long)d).ToArray(), channelsLast.shape[1..]);
            float[] actual = channelsLast.contiguous().data<float>().ToArray();
            double[] numpy = output.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.HasCount(numpy.Length, actual);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.AreEqual(numpy[i], actual[i], 1e-4, $"{file} output {i}");
            }
        }
    }

    [TestMethod]
    public void RegressionMriNetBecomesTheExpectedLayers()
    {
        var model = KerasImporter.Load(Keras("mrinet_regression.h5"));
        using var network = model.Network;
        Assert.AreEqual("MyMRInet", model.Name);
        Assert.AreEqual("2.11.0", model.KerasVersion);
        CollectionAssert.AreEqual(new[] { 12, 14, 12, 1 }, model.KerasInputShape);
        var spec = network.Spec;
        CollectionAssert.AreEqual(new[] { 1, 12, 14, 12 }, spec.InputShape);
        var k = LayerKind.Conv3d;
        CollectionAssert.AreEqual(
            new[] { k, LayerKind.Relu, LayerKind.MaxPool3d, k, LayerKind.Relu, LayerKind.MaxPool3d, k, LayerKind.Relu, LayerKind.MaxPool3d, LayerKind.Flatten, LayerKind.Dropout, LayerKind.Dense, LayerKind.Relu, LayerKind.Dense },
            spec.Layers.Select(l => l.Kind).ToArray());
        Assert.AreEqual("same", spec.Layers[2].Padding);
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, spec.Layers[2].Stride);
        // 12x14x12 → 6x7x6 → 3x4x3 → 2x2x2 with 6 channels: 48 features into Dense 8, then Dense 1.
        CollectionAssert.AreEqual(new[] { 48 }, spec.Shapes()[9]);
        CollectionAssert.AreEqual(new[] { 1 }, spec.OutputShape);
        Assert.IsTrue(spec.Layers[^1].UseBias);
        Assert.IsFalse(network.training);
    }

    [TestMethod]
    public void ClassifierAndSfcnSettingsAreCarriedOver()
    {
        var classifier = KerasImporter.Load(Keras("mrinet_classifier.h5"));
        using (classifier.Network)
        {
            var layers = classifier.Network.Spec.Layers;
            var bn = layers.First(l => l.Kind == LayerKind.BatchNorm3d);
            Assert.AreEqual(1e-3, bn.Epsilon, 1e-12);
            Assert.AreEqual(0.01, bn.Momentum, 1e-9, "Keras momentum 0.99 is PyTorch momentum 0.01");
            Assert.AreEqual(0.2, layers.First(l => l.Kind == LayerKind.LeakyRelu).Alpha, 1e-9);
            Assert.AreEqual(3, layers.Count(l => l.Kind == LayerKind.BatchNorm3d));
            Assert.IsFalse(layers[^2].UseBias);
            Assert.AreEqual(LayerKind.Softmax, layers[^1].Kind);
            CollectionAssert.AreEqual(new[] { 10, 12, 11, 1 }, classifier.KerasInputShape, "taken from the first layer's batch_input_shape");
        }

        var sfcn = KerasImporter.Load(Keras("sfcn_small.h5"));
        using (sfcn.Network)
        {
            var layers = sfcn.Network.Spec.Layers;
            // Three nested blocks flattened in order: conv-BN-pool-ReLU, conv-BN-pool-ReLU, conv-BN-ReLU.
            CollectionAssert.AreEqual(
                new[] { "conv3d", "batch_normalization", "max_pooling3d", "re_lu", "conv3d_1", "batch_normalization_1", "max_pooling3d_1", "re_lu_1", "conv3d_2", "batch_normalization_2", "re_lu_2", "average_pooling3d", "dropout", "conv3d_3", "log_softmax" },
                layers.Select(l => l.Name).ToArray());
            CollectionAssert.AreEqual(new[] { 2, 3, 2 }, layers[11].Kernel);
            Assert.AreEqual(LayerKind.LogSoftmax, layers[^1].Kind);
            CollectionAssert.AreEqual(new[] { 5, 1, 1, 1 }, sfcn.Network.Spec.OutputShape);
        }
    }

    [TestMethod]
    public void MissingTruncatedAndNonHdf5FilesAreModelFormatErrors()
    {
        using var scratch = TestPaths.Scratch();
        string missing = scratch.File("absent.h5");
        StringAssert.StartsWith(Assert.ThrowsExactly<ModelFormatException>(() => KerasImporter.Load(missing)).Message, $"{missing}: file not found");

        string text = scratch.File("notes.h5");
        File.WriteAllText(text, "this is not an HDF5 file\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<ModelFormatException>(() => KerasImporter.Load(text)).Message, $"{text}: cannot read the file as HDF5");

        byte[] good = File.ReadAllBytes(Keras("mrinet_regression.h5"));
        foreach (int length in new[] { 0, 100, good.Length / 2, good.Length - 200 })
        {
            string truncated = scratch.File($"truncated{length}.h5");
            File.WriteAllBytes(truncated, good[..length]);
            var e = Assert.ThrowsExactly<ModelFormatException>(() => KerasImporter.Load(truncated), $"truncated to {length} bytes");
            StringAssert.StartsWith(e.Message, $"{truncated}: ");
            Assert.AreEqual(truncated, e.FilePath);
            if (length >= 100)
            {
                StringAssert.Contains(e.Message, $"the file is truncated: it has {length} bytes, its HDF5 superblock records {good.Length}");
            }
        }
    }

    [TestMethod]
    public void DamagedBytesGiveAModelOrAModelFormatErrorNeverAnotherException()
    {
        using var scratch = TestPaths.Scratch();
        byte[] good = File.ReadAllBytes(Keras("mrinet_regression.h5"));
        var random = new Random(5);
        int failures = 0;
        // Overwrite 32 bytes at spread-out places (metadata, attributes, weights) with random bytes.
        for (int at = 0; at < good.Length - 32; at += 1499)
        {
            byte[] damaged = (byte[])good.Clone();
            random.NextBytes(damaged.AsSpan(at, 32));
            string path = scratch.File($"damaged{at}.h5");
            File.WriteAllBytes(path, damaged);
            try
            {
                KerasImporter.Load(path).Network.Dispose();
            }
            catch (ModelFormatException e)
            {
                StringAssert.StartsWith(e.Message, $"{path}: ");
                failures++;
            }
        }
        Assert.IsGreaterThan(0, failures, "some damage must be detected");
    }

    [TestMethod]
    [DataRow("bad_unknown_layer.h5", "layer 'conv3d_1' (ConvLSTM3D): layer type 'ConvLSTM3D' is not supported")]
    [DataRow("bad_kernel_shape.h5", "layer 'conv3d_1': weight 'conv3d_1/kernel:0' has shape (3, 3, 3, 5, 4), expected (3, 3, 3, 4, 4)")]
    [DataRow("bad_missing_weight.h5", "layer 'dense': weight 'dense/bias:0' is listed in weight_names but its dataset is missing")]
    public void BrokenModelsNameTheFileTheLayerAndTheProblem(string file, string problem)
    {
        string path = Keras(file);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => KerasImporter.Load(path));
        Assert.AreEqual($"{path}: {problem}", e.Message);
        Assert.AreEqual(problem, e.Problem);
        Assert.IsInstanceOfType<IOException>(e);
    }

    [TestMethod]
    [DataRow("""{"class_name": "Conv3D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "data_format": "channels_first"}}""", "layer 'c' (Conv3D): data_format 'channels_first' is not supported (xai4mri's models are channels_last)")]
    [DataRow("""{"class_name": "Conv3D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "dilation_rate": 2}}""", "layer 'c' (Conv3D): dilated convolution is not supported")]
    [DataRow("""{"class_name": "Conv3D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "groups": 2}}""", "layer 'c' (Conv3D): grouped convolution (groups 2) is not supported")]
    [DataRow("""{"class_name": "Conv3D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "activation": "tanh"}}""", "layer 'c' (Conv3D): activation 'tanh' is not supported (relu, softmax, log_softmax, linear)")]
    [DataRow("""{"class_name": "ReLU", "config": {"name": "r", "max_value": 6.0}}""", "layer 'r' (ReLU): a ReLU with max_value or threshold is not supported")]
    public void UnsupportedSettingsAreNamed(string layer, string problem)
    {
        string json = $$$"""{"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8, 8, 8, 1]}}, {{{layer}}}]}}""";
        using var document = JsonDocument.Parse(json);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => KerasLayerConverter.Convert("m.h5", document.RootElement));
        Assert.AreEqual($"m.h5: {problem}", e.Message);
    }

    [TestMethod]
    public void FunctionalChainsAreAcceptedAndBranchesRejected()
    {
        static string Model(string secondInbound) => $$$"""
            {"class_name": "Functional", "config": {"name": "f", "layers": [
              {"class_name": "InputLayer", "name": "input_1", "config": {"name": "input_1", "batch_input_shape": [null, 4, 4, 4, 1]}, "inbound_nodes": []},
              {"class_name": "Flatten", "name": "flatten", "config": {"name": "flatten"}, "inbound_nodes": [[["input_1", 0, 0, {}]]]},
              {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 2, "activation": "softmax"}, "inbound_nodes": [[{{{secondInbound}}}]]}],
              "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}
            """;
        using (var chain = JsonDocument.Parse(Model("""["flatten", 0, 0, {}]""")))
        {
            var result = KerasLayerConverter.Convert("f.h5", chain.RootElement);
            CollectionAssert.AreEqual(new[] { LayerKind.Flatten, LayerKind.Dense, LayerKind.Softmax }, result.Spec.Layers.Select(l => l.Kind).ToArray());
            Assert.AreEqual("dense", result.Weighted.Single().Layer);
        }
        using var branch = JsonDocument.Parse(Model("""["flatten", 0, 0, {}], ["input_1", 0, 0, {}]"""));
        var e = Assert.ThrowsExactly<ModelFormatException>(() => KerasLayerConverter.Convert("f.h5", branch.RootElement));
        StringAssert.Contains(e.Message, "layer 'dense' does not simply follow the previous layer");
    }
}
