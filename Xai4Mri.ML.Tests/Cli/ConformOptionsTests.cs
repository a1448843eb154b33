using Xai4Mri.Cli;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>train</c> and <c>analyze</c> conform images through the one rule (<see cref="StudyInput.LoaderOptions"/>): the model's conventions, replaced by what the command line gives.</summary>
[TestClass]
public sealed class ConformOptionsTests
{
    [TestMethod]
    public void WithAModelTheImagesAreConformedAsItExpects()
    {
        using var model = MriNetModel.CreateMriNet([20, 24, 18], ModelTask.Regression(50), conventions: new InputConventions { Orientation = "RAS", VoxelSize = [4.0] });
        var options = StudyInput.LoaderOptions(model, null, null, "cache-dir");
        Assert.AreEqual("RAS", options.Orientation);
        CollectionAssert.AreEqual(new[] { 4.0 }, options.VoxelSize, "the model's voxel size, as analyze uses it (train used to keep the images')");
        CollectionAssert.AreEqual(new[] { 20, 24, 18 }, options.TargetShape);
        Assert.AreEqual(IntensityNormalization.Dataset, options.Normalization);
        Assert.AreEqual("cache-dir", options.CacheDirectory);
    }

    [TestMethod]
    public void CommandLineValuesReplaceTheModelsAndWithoutAModelTheDefaultsHold()
    {
        using var model = MriNetModel.CreateMriNet([20, 24, 18], ModelTask.Regression(50), conventions: new InputConventions { VoxelSize = [4.0] });
        var given = StudyInput.LoaderOptions(model, 3.0, [16, 16, 16], null);
        CollectionAssert.AreEqual(new[] { 3.0 }, given.VoxelSize);
        CollectionAssert.AreEqual(new[] { 16, 16, 16 }, given.TargetShape);
        Assert.AreEqual("LIA", given.Orientation);

        var none = StudyInput.LoaderOptions(null, null, null, null);
        Assert.IsNull(none.VoxelSize);
        Assert.IsNull(none.TargetShape);
        Assert.AreEqual(new NiftiLoaderOptions().Orientation, none.Orientation);
    }
}
