using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>The loader's one settings record: options checked when the estimator is made, a model's conventions, fitted settings reused.</summary>
[TestClass]
public sealed class NiftiLoaderSettingsTests
{
    private sealed class Row
    {
        public string Path { get; set; } = "";
    }

    [TestMethod]
    [DataRow(new[] { 2.0, 2.0 }, "NiftiLoaderOptions.VoxelSize needs one or three positive sizes in mm, got [2, 2]")]
    [DataRow(new[] { 0.0 }, "NiftiLoaderOptions.VoxelSize needs one or three positive sizes in mm, got [0]")]
    [DataRow(new[] { double.NaN }, "NiftiLoaderOptions.VoxelSize needs one or three positive sizes in mm, got [NaN]")]
    public void BadVoxelSizeFailsWhenTheEstimatorIsMadeNamingTheOption(double[] voxelSize, string message)
    {
        var ml = new MLContext();
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { VoxelSize = voxelSize }));
        StringAssert.StartsWith(e.Message, message);
    }

    [TestMethod]
    public void EveryOptionIsCheckedUpFront()
    {
        var ml = new MLContext();
        (NiftiLoaderOptions Options, string Message)[] cases =
        [
            (new() { Orientation = "LIX" }, "NiftiLoaderOptions.Orientation: 'X' in 'LIX' is not one of R, L, A, P, S, I"),
            (new() { Orientation = "LLA" }, "NiftiLoaderOptions.Orientation: orientation 'LLA' names the same world axis twice"),
            (new() { TargetShape = [10, 0, 10] }, "NiftiLoaderOptions.TargetShape needs three positive sizes, got [10, 0, 10]"),
            (new() { TargetShape = [10, 10] }, "NiftiLoaderOptions.TargetShape needs three positive sizes, got [10, 10]"),
            (new() { ClipPercentile = 40 }, "NiftiLoaderOptions.ClipPercentile must be in (50, 100], got 40"),
            (new() { Prune = (PruneMode)7 }, "NiftiLoaderOptions.Prune: 7 is not a PruneMode"),
            (new() { Normalization = (IntensityNormalization)9 }, "NiftiLoaderOptions.Normalization: 9 is not an IntensityNormalization"),
            (new() { BackgroundValue = float.NaN }, "NiftiLoaderOptions.BackgroundValue must be a finite number, got NaN"),
            (new() { MaxDegreeOfParallelism = 0 }, "NiftiLoaderOptions.MaxDegreeOfParallelism must be at least 1, got 0"),
        ];
        foreach (var (options, message) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LoadNifti("Image", "Path", options));
            StringAssert.StartsWith(e.Message, message);
        }
    }

    [TestMethod]
    public void OptionsChangedAfterTheEstimatorIsMadeChangeNothing()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext();
        string file = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0, "RAS", seed: 1);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), Orientation = "RAS" };
        var estimator = ml.Transforms.LoadNifti("Image", "Path", options);
        options.Orientation = "LIA";
        options.VoxelSize = [3.0];
        var loader = estimator.Fit(ml.Data.LoadFromEnumerable([new Row { Path = file }]));
        Assert.AreEqual("RAS", loader.Settings.Orientation);
        Assert.IsNull(loader.Settings.VoxelSize);
    }

    [TestMethod]
    public void OptionsForAModelTakeItsConventionsAndBox()
    {
        using var model = MriNetModel.CreateMriNet([20, 24, 18], ModelTask.Regression(50), conventions: new InputConventions { Orientation = "RAS", VoxelSize = [4.0] });
        var options = NiftiLoaderOptions.For(model);
        Assert.AreEqual("RAS", options.Orientation);
        CollectionAssert.AreEqual(new[] { 4.0 }, options.VoxelSize);
        CollectionAssert.AreEqual(new[] { 20, 24, 18 }, options.TargetShape);
        Assert.AreEqual(IntensityNormalization.Dataset, options.Normalization);
        Assert.IsTrue(options.RoundToUInt8);
        options.TargetShape![0] = 99;
        CollectionAssert.AreEqual(new[] { 20, 24, 18 }, model.InputShape, "the options hold a copy of the model's box");

        using var raw = MriNetModel.CreateMriNet([20, 24, 18], ModelTask.Regression(), conventions: new InputConventions { NormalizedTo255 = false });
        var rawOptions = NiftiLoaderOptions.For(raw);
        Assert.AreEqual(IntensityNormalization.None, rawOptions.Normalization);
        Assert.IsFalse(rawOptions.RoundToUInt8);
        Assert.IsNull(rawOptions.VoxelSize, "a model that records no voxel size keeps each file's");
    }

    [TestMethod]
    public void FittedSettingsGiveALoaderThatConformsIdenticallyWithoutReadingTheTrainingImages()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext();
        var rows = Enumerable.Range(0, 4).Select(s => new Row { Path = TinyPhantoms.Write(dir.File($"s{s}.nii.gz"), 0.8 + (0.05 * s), "LAS", seed: s) }).ToList();
        var fitted = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache") }).Fit(ml.Data.LoadFromEnumerable(rows));
        var settings = NiftiLoaderSettings.FromJson(fitted.Settings.ToJson());
        Assert.AreNotEqual(fitted.Settings.ClipMin, fitted.Settings.ClipMax, "Fit learnt clip bounds");
        Assert.AreEqual(fitted.Settings.ClipMax, settings.ClipMax);
        CollectionAssert.AreEqual(fitted.Settings.TargetShape, settings.TargetShape);
        Assert.IsNull(settings.CacheDirectory, "the JSON leaves out the machine's cache folder");

        // Fitted on one file only: a loader that learnt would get another box and other clip bounds.
        var again = ml.Transforms.LoadNifti("Image", "Path", settings).Fit(ml.Data.LoadFromEnumerable(rows.Take(1)));
        Assert.AreEqual(0, again.FitReport.ImageCount);
        var expected = fitted.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Image").ToList();
        var actual = again.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Image").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
        }
    }

    [TestMethod]
    public void SettingsJsonThatIsBrokenOrOutOfRangeIsAFormatException()
    {
        var e1 = Assert.ThrowsExactly<FormatException>(() => NiftiLoaderSettings.FromJson("{\"Orientation\": 5"));
        StringAssert.StartsWith(e1.Message, "not the JSON of NiftiLoaderSettings");
        var e2 = Assert.ThrowsExactly<FormatException>(() => NiftiLoaderSettings.FromJson("{\"TargetShape\": [3, -1, 2]}"));
        StringAssert.StartsWith(e2.Message, "NiftiLoaderSettings.TargetShape needs three positive sizes, got [3, -1, 2]");
        var e3 = Assert.ThrowsExactly<FormatException>(() => NiftiLoaderSettings.FromJson("{\"ClipMin\": 5, \"ClipMax\": 1}"));
        StringAssert.Contains(e3.Message, "clip bounds [5, 1] are not an interval");
    }

    [TestMethod]
    public void SettingsJsonOfModelsSavedBeforeTheRecordReadsBack()
    {
        // The form NiftiLoaderParameters wrote (with its computed members), as in Fixtures/compat.
        const string old = "{\"Orientation\":\"LIA\",\"VoxelSize\":[8],\"Prune\":1,\"TargetShape\":[20,17,24],\"BackgroundValue\":0,\"Normalization\":2,\"ClipPercentile\":99.99,\"RoundToUInt8\":true,\"ClipMin\":0,\"ClipMax\":812.5,\"AllowFourD\":false,\"UseCache\":true,\"CacheDirectory\":null,\"PrepareSettings\":{\"Orientation\":\"LIA\",\"VoxelSize\":[8],\"AllowFourD\":false,\"Background\":0,\"Key\":\"v1;orient=LIA;vox=8;4d=False;bg=0\"},\"OutputLength\":8160}";
        var s = NiftiLoaderSettings.FromJson(old);
        CollectionAssert.AreEqual(new[] { 8.0 }, s.VoxelSize);
        CollectionAssert.AreEqual(new[] { 20, 17, 24 }, s.TargetShape);
        Assert.AreEqual(PruneMode.Max, s.Prune);
        Assert.AreEqual(IntensityNormalization.Dataset, s.Normalization);
        Assert.AreEqual(812.5f, s.ClipMax);
        Assert.AreEqual(8160, s.OutputLength);
    }
}
