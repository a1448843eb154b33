using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri model-info</c>: prints the summary of a model file, fails cleanly on a bad one.</summary>
[TestClass]
public sealed class ModelInfoCommandTests
{
    [TestMethod]
    public void PrintsSummaryAndConventions()
    {
        using var dir = TestPaths.Scratch();
        using (var model = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(50, "age"), conventions: new InputConventions { VoxelSize = [4.0] }))
        {
            model.Save(dir.File("m.x4m"));
        }
        var (code, output, error) = CliRunner.Run("model-info", dir.File("m.x4m"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "Model: MRInet — input 1x45x54x45");
        StringAssert.Contains(output, "Total params: 95,185");
        StringAssert.Contains(output, "Task: regression (target mean 50)");
        StringAssert.Contains(output, "Input: 45x54x45 voxels, orientation LIA, 4 mm");
    }

    [TestMethod]
    public void ReadsKerasAndOnnxFiles()
    {
        var (code, keras, error) = CliRunner.Run("model-info", TestPaths.Fixture("keras/mrinet_regression.h5"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(keras, "Model: MyMRInet — input 1x12x14x12");
        StringAssert.Contains(keras, "Provenance: Keras .h5 model");

        using var dir = TestPaths.Scratch();
        using (var model = MriNetModel.CreateMriNet([20, 24, 20], ModelTask.Classification(["a", "b", "c"]), seed: 2))
        {
            OnnxExporter.Export(model.Network, dir.File("m.onnx"));
        }
        var (onnxCode, onnx, onnxError) = CliRunner.Run("model-info", dir.File("m.onnx"));
        Assert.AreEqual(0, onnxCode, onnxError);
        StringAssert.Contains(onnx, "Model: MRInet — input 1x20x24x20");
        StringAssert.Contains(onnx, "Task: classification (0, 1, 2)");
        StringAssert.Contains(onnx, "Provenance: ONNX graph");
    }

    [TestMethod]
    public void PyTorchStateDictsNeedAndGetTheirArchitecture()
    {
        string sfcn = TestPaths.Fixture("pytorch/sfcn_dataparallel_zip.pt");
        var (code, output, error) = CliRunner.Run("model-info", sfcn, "--architecture", "sfcn", "--input", "32x32x32", "--outputs", "10", "--channels", "4,8,8,8,8,8");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "Model: SFCN — input 1x32x32x32");
        StringAssert.Contains(output, "Task: classification");

        var (mrinetCode, mrinet, mrinetError) = CliRunner.Run("model-info", TestPaths.Fixture("pytorch/mrinet_bn_zip.pth"), "--architecture", "mrinet", "--input", "20x24x20", "--batch-norm");
        Assert.AreEqual(0, mrinetCode, mrinetError);
        StringAssert.Contains(mrinet, "Model: MRInet — input 1x20x24x20");
        StringAssert.Contains(mrinet, "batch_normalization");

        var (missing, _, missingError) = CliRunner.Run("model-info", sfcn);
        Assert.AreEqual(1, missing);
        StringAssert.Contains(missingError, "a PyTorch state dict holds weights only");
        var (wrong, _, wrongError) = CliRunner.Run("model-info", sfcn, "--architecture", "sfcn");
        Assert.AreEqual(1, wrong);
        StringAssert.Contains(wrongError, "sfcn_dataparallel_zip.pt");
        var (usage, _, usageError) = CliRunner.Run("model-info", sfcn, "--architecture", "mrinet");
        Assert.AreEqual(2, usage);
        StringAssert.Contains(usageError, "--architecture mrinet needs --input DxHxW");
    }

    [TestMethod]
    public void BadFileGivesOneLine()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllText(dir.File("bad.x4m"), "not a model");
        var (code, _, error) = CliRunner.Run("model-info", dir.File("bad.x4m"));
        Assert.AreEqual(1, code);
        Assert.HasCount(1, error.TrimEnd().Split('\n'));
        StringAssert.Contains(error, "bad.x4m");
    }
}
