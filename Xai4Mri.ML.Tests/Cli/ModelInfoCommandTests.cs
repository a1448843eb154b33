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
