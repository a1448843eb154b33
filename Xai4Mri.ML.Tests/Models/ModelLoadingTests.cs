using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Models;

/// <summary><c>MriNetModel.Load</c> recognises every supported kind of model file by content; <c>xai4mri model-info</c> shows them.</summary>
[TestClass]
public sealed class ModelLoadingTests
{
    [TestMethod]
    public void KerasH5LoadsAsAClassifierModel()
    {
        using var model = MriNetModel.Load(TestPaths.Fixture("keras/mrinet_classifier.h5"));
        Assert.IsTrue(model.Task.IsClassification);
        Assert.HasCount(3, model.Task.ClassNames);
        Assert.AreEqual("LIA", model.Conventions.Orientation);
        StringAssert.Contains(model.Provenance, "Keras .h5 model");
    }

    [TestMethod]
    public void OnnxAndOwnFormatLoadWithTheSameOutputs()
    {
        using var dir = TestPaths.Scratch();
        using var original = MriNetModel.CreateMriNet([12, 14, 12], ModelTask.Regression(30), seed: 4);
        OnnxExporter.Export(original.Network, dir.File("m.onnx"));
        original.Save(dir.File("m.x4m"));

        using var fromOnnx = MriNetModel.Load(dir.File("m.onnx"));
        using var fromOwn = MriNetModel.Load(dir.File("m.x4m"));
        Assert.IsFalse(fromOnnx.Task.IsClassification);
        Assert.AreEqual(original.Spec.ToJson(), fromOwn.Spec.ToJson());
        var x = TorchSharp.torch.randn(new long[] { 1, 1, 12, 14, 12 });
        original.Network.eval();
        fromOnnx.Network.eval();
        Assert.AreEqual(original.Network.forward(x).item<float>(), fromOnnx.Network.forward(x).item<float>(), 1e-5);
    }

    [TestMethod]
    public void PyTorchNeedsTheArchitecture()
    {
        string path = TestPaths.Fixture("pytorch/sfcn_legacy.pt");
        var e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(path));
        StringAssert.Contains(e.Message, "holds weights only; pass the architecture");
        using var model = MriNetModel.Load(path, Architectures.Sfcn([32, 32, 32], 10, channels: [4, 8, 8, 8, 8, 8]));
        Assert.IsTrue(model.Task.IsClassification, "SFCN's log-softmax bins");
    }

    [TestMethod]
    public void UnknownFilesAreRejected()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllText(dir.File("notes.txt"), "no model here");
        var e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(dir.File("notes.txt")));
        StringAssert.Contains(e.Message, "not a model file Xai4Mri.ML knows");
        e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(dir.File("missing.h5")));
        StringAssert.Contains(e.Message, "missing.h5: file not found");
    }

    [TestMethod]
    public void ModelInfoShowsAKerasFile()
    {
        var (code, output, error) = Cli.CliRunner.Run("model-info", TestPaths.Fixture("keras/mrinet_regression.h5"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "Total params:");
        StringAssert.Contains(output, "Provenance: Keras .h5 model");
    }
}
