using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary><c>ml.Transforms.LoadNifti</c> in ML.NET pipelines.</summary>
[TestClass]
public sealed class NiftiLoaderTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    private static (MLContext Ml, IDataView Data, List<Row> Rows) Cohort(ScratchFolder dir, int n, Func<int, string>? orientation = null)
    {
        var rows = new List<Row>();
        for (int s = 0; s < n; s++)
        {
            double size = 0.85 + (0.05 * (s % 4));
            string path = TinyPhantoms.Write(dir.File($"sub-{s:000}.nii.gz"), size, orientation?.Invoke(s) ?? "RAS", seed: s);
            rows.Add(new Row { participant_id = $"sub-{s:000}", Path = path, Age = 20 + (10 * (s % 4)) });
        }
        var ml = new MLContext(seed: 1);
        return (ml, ml.Data.LoadFromEnumerable(rows), rows);
    }

    private static SchemaShape RowShape() => new(
    [
        MLNetInternals.SchemaColumn("participant_id", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance),
        MLNetInternals.SchemaColumn("Path", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance),
        MLNetInternals.SchemaColumn("Age", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
    ]);

    private static NiftiLoaderOptions Options(ScratchFolder dir) => new() { CacheDirectory = dir.File("cache") };

    [TestMethod]
    public void FitLearnsTheLargestBrainAndTransformGivesAKnownSizeColumn()
    {
        using var dir = TestPaths.Scratch();
        var (ml, data, rows) = Cohort(dir, 6, s => new[] { "RAS", "LAS", "PSR" }[s % 3]);
        var log = new System.Collections.Concurrent.ConcurrentBag<string>();
        ml.Log += (_, e) => log.Add(e.Message);

        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(data);
        Assert.IsTrue(log.Any(m => m.Contains("mixed orientations (RAS: 2, LAS: 2, PSR: 2)")), "warnings reach ml.Log");
        int[] expectedShape = rows.Select(r => BrainBox.Extent(
                Reorientation.Reorient(Volume.FromImage(MriImage.Load(r.Path)), "LIA")))
            .Aggregate((a, b) => [Math.Max(a[0], b[0]), Math.Max(a[1], b[1]), Math.Max(a[2], b[2])]);
        CollectionAssert.AreEqual(expectedShape, loader.Settings.TargetShape);
        Assert.AreEqual(3, loader.FitReport.Orientations.Count);
        Assert.IsTrue(loader.FitReport.Warnings.Any(w => w.Contains("mixed orientations")));

        var output = loader.Transform(data);
        var type = (VectorDataViewType)output.Schema["Image"].Type;
        CollectionAssert.AreEqual(expectedShape, type.Dimensions.ToArray());
        // GetColumn hands out one reused buffer: copy each row as it comes.
        var images = output.GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.HasCount(6, images);
        Assert.AreEqual(new VolumeCacheStatistics(6, 6, 0), loader.CacheStatistics, "Fit decoded each file once; Transform read the cache");
        for (int s = 0; s < 6; s++)
        {
            float[] values = images[s];
            CollectionAssert.AreEqual(loader.LoadOne(rows[s].Path).Data, values);
            Assert.IsTrue(values.All(v => v >= 0 && v <= 255 && v == MathF.Round(v)), "normalised to whole numbers in [0, 255]");
            Assert.AreEqual(255, values.Max());
        }
        // Same anatomy in different orientations conforms to the same array.
        CollectionAssert.AreEqual(images[0].Select(v => v > 0).ToArray(), images[4].Select(v => v > 0).ToArray());
    }

    [TestMethod]
    public void ExplicitSmallerBoxWarnsAboutCutBrains()
    {
        using var dir = TestPaths.Scratch();
        var (ml, data, _) = Cohort(dir, 2);
        var options = Options(dir);
        options.TargetShape = [10, 10, 10];
        var loader = ml.Transforms.LoadNifti("Image", "Path", options).Fit(data);
        Assert.HasCount(2, loader.FitReport.ImagesCut);
        Assert.IsTrue(loader.FitReport.Warnings.Any(w => w.Contains("will be cut")));
        var type = (VectorDataViewType)loader.Transform(data).Schema["Image"].Type;
        CollectionAssert.AreEqual(new[] { 10, 10, 10 }, type.Dimensions.ToArray());
    }

    [TestMethod]
    public void MixedVoxelSizesAreResampledAndReported()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(1);
        var rows = new[]
        {
            new Row { participant_id = "sub-4mm", Path = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0, "RAS", voxel: 4) },
            new Row { participant_id = "sub-3mm", Path = TinyPhantoms.Write(dir.File("b.nii.gz"), 1.0, "LAS", voxel: 3) },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options(dir);
        options.VoxelSize = [4.0];
        var loader = ml.Transforms.LoadNifti("Image", "Path", options).Fit(data);

        CollectionAssert.AreEquivalent(new[] { "4×4×4", "3×3×3" }, loader.FitReport.VoxelSizes.Keys.ToArray());
        Assert.IsTrue(loader.FitReport.Warnings.Any(w => w.Contains("mixed voxel sizes") && w.Contains("resampled to 4 mm")), string.Join("; ", loader.FitReport.Warnings));
        var a = loader.Pipeline.Prepare(rows[0].Path);
        var b = loader.Pipeline.Prepare(rows[1].Path);
        CollectionAssert.AreEqual(new[] { 4.0, 4.0, 4.0 }, b.GridAffine.ColumnNorms().Select(v => Math.Round(v, 9)).ToArray());
        // The same anatomy at another resolution: boxes agree within a voxel at each end (interpolation lets the
        // edge bleed into the neighbouring voxel).
        for (int axis = 0; axis < 3; axis++)
        {
            Assert.IsLessThanOrEqualTo(2, Math.Abs(a.BoxShape[axis] - b.BoxShape[axis]), $"axis {axis}: {a.BoxShape[axis]} vs {b.BoxShape[axis]}");
        }
    }

    [TestMethod]
    public void NonFiniteVoxelsAreZeroedAndReported()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("nan.nii"), 1.0, nan: true);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { participant_id = "sub-nan", Path = path } });
        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(data);
        CollectionAssert.AreEqual(new[] { "sub-nan" }, loader.FitReport.ImagesWithNonFiniteVoxels.ToArray());
        Assert.IsFalse(loader.LoadOne(path).Data.Any(float.IsNaN));
    }

    [TestMethod]
    public void FourDInputIsAnErrorUnlessAllowed()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("4d.nii.gz"), 1.0, fourD: true);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { participant_id = "sub-4d", Path = path } });
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(data));
        StringAssert.Contains(e.Message, "subject sub-4d");
        StringAssert.Contains(e.Message, "4-D");
        StringAssert.Contains(e.Message, path);
        var options = Options(dir);
        options.AllowFourD = true;
        Assert.AreEqual(1, ml.Transforms.LoadNifti("Image", "Path", options).Fit(data).FitReport.ImageCount);
    }

    [TestMethod]
    public void UnreadableFileNamesSubjectAndPath()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(1);
        string missing = dir.File("sub-x.nii.gz");
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { participant_id = "sub-x", Path = missing } });
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(data));
        Assert.AreEqual($"{missing}: subject sub-x: file not found", e.Message);
    }

    [TestMethod]
    public void SchemaErrorsNameTheColumn()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LoadNifti("Image", "Age").Fit(data));
        StringAssert.Contains(e.Message, "column 'Age' must hold text");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LoadNifti("Image", "File").GetOutputSchema(RowShape()));
        StringAssert.Contains(e.Message, "'File' not found");
    }

    [TestMethod]
    public void EstimatorOutputSchemaAnnouncesTheVectorColumn()
    {
        var ml = new MLContext(1);
        var shape = ml.Transforms.LoadNifti("Image").GetOutputSchema(RowShape());
        var column = shape.Single(c => c.Name == "Image");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.AreEqual(NumberDataViewType.Single, column.ItemType);
    }
}
