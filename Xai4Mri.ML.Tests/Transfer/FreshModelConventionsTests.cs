using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>A network trained from scratch records how its input was prepared, so that <see cref="NiftiLoaderOptions.For"/> conforms new data alike.</summary>
[TestClass]
public sealed class FreshModelConventionsTests
{
    [TestMethod]
    public void FreshMriNetRecordsTheLoadersOrientationVoxelSizeAndScaling()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var files = TransferData.Files(dir, 8, 0.7, 0.04);
        var data = ml.Data.LoadFromEnumerable(files);
        var loader = new NiftiLoaderOptions { Orientation = "RAS", VoxelSize = [2.0], CacheDirectory = dir.File("cache") };
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", loader)
            .Append(ml.Regression.Trainers.MriNetTransfer("Age", "Image", epochs: 1, fineTuneEpochs: 0));
        var fitted = pipeline.Fit(data);
        var model = fitted.LastTransformer.Model;

        Assert.AreEqual("RAS", model.Conventions.Orientation);
        CollectionAssert.AreEqual(new[] { 2.0 }, model.Conventions.VoxelSize);
        Assert.IsTrue(model.Conventions.NormalizedTo255);
        var again = NiftiLoaderOptions.For(model);
        Assert.AreEqual("RAS", again.Orientation);
        CollectionAssert.AreEqual(new[] { 2.0 }, again.VoxelSize);
        CollectionAssert.AreEqual(((NiftiLoaderTransformer)fitted.First()).Settings.TargetShape, again.TargetShape);
    }
}
