#pragma warning disable CS0618 // The point: the former, documented names still work.
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Compatibility;

/// <summary>Names and argument orders documented before the restructuring forward to the current ones and give the same results.</summary>
[TestClass]
public sealed class FormerNamesTests
{
    private sealed class Row
    {
        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    [TestMethod]
    public void NiftiImageLoadsAsMriImageAndNiftiFormatExceptionStillCatches()
    {
        string file = TestPaths.Fixture("real/test.mgz");
        var image = NiftiImage.Load(file);
        CollectionAssert.AreEqual(MriImage.Load(file).Shape, image.Shape);
        try
        {
            MriImage.Load(TestPaths.Fixture("no-such-file.nii"));
            Assert.Fail("a missing file must throw");
        }
        catch (NiftiFormatException e)
        {
            Assert.IsInstanceOfType<ImageFormatException>(e);
            StringAssert.Contains(e.Message, "no-such-file.nii");
        }
    }

    [TestMethod]
    public void FormerArgumentOrdersGiveTheSameEstimators()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 6).Select(s => new Row { Path = TinyPhantoms.Write(dir.File($"s{s}.nii.gz"), 0.7 + (0.04 * s), "RAS", seed: s), Age = 20 + (5 * s) }).ToList();
        var loaded = ml.Transforms.LoadNifti("T1", "Path", new NiftiLoaderOptions { TargetShape = [16, 16, 16], CacheDirectory = dir.File("cache") }).Fit(ml.Data.LoadFromEnumerable(rows));
        var images = loaded.Transform(ml.Data.LoadFromEnumerable(rows));
        using var pretrained = MriNetModel.CreateMriNet([16, 16, 16], ModelTask.Regression(40), seed: 2);

        var old = ml.Transforms.AdaptHead(pretrained, "Age", new AdaptHeadOptions { FeatureColumnName = "T1" }).Fit(images);
        var current = ml.Transforms.AdaptHead("Age", "T1", pretrained).Fit(images);
        Assert.AreEqual("T1", old.ImageColumnName);
        Assert.AreEqual(old.ImageColumnName, old.FeatureColumnName);
        CollectionAssert.AreEqual(current.Transform(images).GetColumn<float>("Score").ToArray(), old.Transform(images).GetColumn<float>("Score").ToArray());

        var oldAnalysis = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AnalyzeTransfer(pretrained, "Sex", "T1").Fit(images));
        var newAnalysis = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AnalyzeTransfer("Sex", "T1", pretrained).Fit(images));
        Assert.AreEqual(newAnalysis.Message, oldAnalysis.Message);
        StringAssert.Contains(oldAnalysis.Message, "label column 'Sex' not found");

        Assert.AreSame(loaded.Settings, loaded.Parameters);
        var options = new MriNetTransferTrainer.Options { FeatureColumnName = "T1" };
        Assert.AreEqual("T1", options.ImageColumnName);
    }
}
