using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>
/// Images that read but cannot be used, and files that cannot be read, in <c>LoadNifti</c>'s <c>Fit</c> and
/// <c>Transform</c>: each fails or is flagged as docs/robustness.md says, naming its file, and the other subjects load.
/// </summary>
[TestClass]
public sealed class LoaderBadInputTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";
    }

    private sealed class PathOnly
    {
        public string Path { get; set; } = "";
    }

    private static NiftiLoaderOptions Options(ScratchFolder dir) => new() { CacheDirectory = dir.File("cache"), TargetShape = [24, 28, 24] };

    private static IDataView Study(MLContext ml, params (string Subject, string Path)[] rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new Row { participant_id = r.Subject, Path = r.Path }));

    private static string Filled(string path, float value, int[]? shape = null)
    {
        shape ??= [24, 28, 24];
        var voxels = new float[shape[0] * shape[1] * shape[2]];
        Array.Fill(voxels, value);
        NiftiWriter.Write<float>(path, voxels, [shape[0], shape[1], shape[2]], Affine.Identity);
        return path;
    }

    private static ImageFormatException FitFails(MLContext ml, ScratchFolder dir, IDataView study) =>
        Assert.ThrowsExactly<ImageFormatException>(() => ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(study));

    [TestMethod]
    public void ImageWithoutVoxelsIsRefused()
    {
        using var dir = TestPaths.Scratch();
        string path = Filled(dir.File("empty.nii.gz"), 1);
        byte[] b = Nifti.BadInputTests.GunzipFile(path);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 0);
        Nifti.BadInputTests.WriteGzip(path, b);
        var ml = new MLContext(1);
        var e = FitFails(ml, dir, Study(ml, ("sub-0", path)));
        Assert.AreEqual($"{path}: subject sub-0: image has no voxels (dimensions 0x28x24)", e.Message);
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void ImageOfNothingButNonFiniteValuesIsRefused(float value)
    {
        using var dir = TestPaths.Scratch();
        string path = Filled(dir.File("nan.nii.gz"), value);
        var ml = new MLContext(1);
        var e = FitFails(ml, dir, Study(ml, ("sub-nan", path)));
        Assert.AreEqual($"{path}: subject sub-nan: no finite voxel: all 16128 voxels are NaN or infinite", e.Message);
    }

    [TestMethod]
    public void AllZeroImageIsFlaggedInFitTransformAndProblem()
    {
        using var dir = TestPaths.Scratch();
        string good = TinyPhantoms.Write(dir.File("good.nii.gz"), 1.0);
        string zero = Filled(dir.File("zero.nii.gz"), 0);
        string partNan = TinyPhantoms.Write(dir.File("partnan.nii.gz"), 0.9, nan: true);
        var ml = new MLContext(1);
        var log = new ConcurrentBag<(string Source, string Message)>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
            {
                log.Add((e.Source, e.RawMessage));
            }
        };
        var study = Study(ml, ("sub-good", good), ("sub-zero", zero), ("sub-partnan", partNan));

        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(study);
        StringAssert.StartsWith(loader.FitReport.ImageProblems.Single(), "sub-zero: the image is all background");
        Assert.IsNull(loader.Problem(good));
        StringAssert.StartsWith(loader.Problem(zero), "the image is all background");
        log.Clear();

        var rows = loader.Transform(study).GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.HasCount(3, rows);
        Assert.IsTrue(rows[1].All(v => v == 0));
        var warnings = log.Where(l => l.Source == "LoadNifti").Select(l => l.Message).ToList();
        Assert.IsTrue(warnings.Contains($"subject sub-zero ({zero}) loads as background: {Xai4Mri.ML.Volumes.VolumePipeline.AllBackground}"), string.Join("\n", warnings));
        Assert.IsTrue(warnings.Contains($"subject sub-partnan ({partNan}): 1 NaN/Inf voxels set to background"), string.Join("\n", warnings));
        Assert.HasCount(2, warnings, "once each, not for the good image");

        // A second pass (another epoch) says nothing new.
        _ = loader.Transform(study).GetColumn<VBuffer<float>>("Image").ToList();
        Assert.HasCount(2, log.Where(l => l.Source == "LoadNifti").ToList());
    }

    [TestMethod]
    public void VoxelBudgetIsCheckedFromTheHeaderBeforeReading()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("sub 0 ü.nii.gz"), 1.0);
        var ml = new MLContext(1);
        var options = Options(dir);
        options.MaxVoxels = 10_000;
        options.UseCache = false;
        var estimator = ml.Transforms.LoadNifti("Image", "Path", options);
        var study = Study(ml, ("sub-0", path));
        var e = Assert.ThrowsExactly<ImageFormatException>(() => estimator.Fit(study));
        Assert.AreEqual($"{path}: subject sub-0: 24x28x24 is 16128 voxels per volume, more than the loader's budget of 10000 (raise NiftiLoaderOptions.MaxVoxels to load it)", e.Message);
        options.MaxVoxels = 16_128;
        Assert.AreEqual(1, ml.Transforms.LoadNifti("Image", "Path", options).Fit(study).FitReport.ImageCount);
        options.MaxVoxels = 0;
        var bad = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LoadNifti("Image", "Path", options));
        StringAssert.Contains(bad.Message, "NiftiLoaderOptions.MaxVoxels must be at least 1");
        Assert.AreEqual(1L << 28, new NiftiLoaderOptions().MaxVoxels);
    }

    [TestMethod]
    public void GigavoxelImageMeetsTheDefaultBudgetNotAnOverflow()
    {
        using var dir = TestPaths.Scratch();
        // 1024³ float32: a header and 4 GiB of (sparse) zeros, which the file system does not store.
        string path = dir.File("giga.nii");
        byte[] header = File.ReadAllBytes(Filled(dir.File("small.nii"), 1, [2, 2, 2]))[..352];
        for (int a = 1; a <= 3; a++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(40 + (2 * a)), 1024);
        }
        using (var fs = File.Create(path))
        {
            fs.Write(header);
            fs.SetLength(352 + (4L << 30));
        }
        var ml = new MLContext(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long before = GC.GetTotalAllocatedBytes();
        var e = FitFails(ml, dir, Study(ml, ("sub-giga", path)));
        Assert.IsLessThan(TimeSpan.FromSeconds(1), watch.Elapsed);
        // Other test classes run alongside: far below the 4 GiB a read would take is what can be told.
        Assert.IsLessThan(1L << 30, GC.GetTotalAllocatedBytes() - before, "no voxel was read");
        Assert.AreEqual($"{path}: subject sub-giga: 1024x1024x1024 is 1073741824 voxels per volume, more than the loader's budget of 268435456 (raise NiftiLoaderOptions.MaxVoxels to load it)", e.Message);
    }

    [TestMethod]
    public void RowsWithoutSubjectIdsAreCountedFromOneInFitAndTransform()
    {
        using var dir = TestPaths.Scratch();
        string good = TinyPhantoms.Write(dir.File("good.nii.gz"), 1.0);
        string missing = dir.File("missing.nii.gz");
        var ml = new MLContext(1);
        var study = ml.Data.LoadFromEnumerable(new[] { new PathOnly { Path = good }, new PathOnly { Path = missing } });
        var fit = Assert.ThrowsExactly<ImageFormatException>(() => ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(study));
        Assert.AreEqual($"{missing}: subject row 2: file not found", fit.Message);

        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(ml.Data.TakeRows(study, 1));
        var transform = Assert.ThrowsExactly<ImageFormatException>(() => loader.Transform(study).GetColumn<VBuffer<float>>("Image").ToList());
        Assert.AreEqual(fit.Message, transform.Message);
    }

    [TestMethod]
    public void OneBadFileCostsOnlyItsOwnRow()
    {
        using var dir = TestPaths.Scratch();
        string a = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0), c = TinyPhantoms.Write(dir.File("c.nii.gz"), 0.9, seed: 2);
        Directory.CreateDirectory(dir.File("b.nii.gz"));
        var ml = new MLContext(1);
        var good = ml.Transforms.LoadNifti("Image", "Path", Options(dir)).Fit(Study(ml, ("sub-a", a), ("sub-c", c)));
        var study = Study(ml, ("sub-a", a), ("sub-b", dir.File("b.nii.gz")), ("sub-c", c));

        var fit = FitFails(ml, dir, study);
        Assert.AreEqual($"{dir.File("b.nii.gz")}: subject sub-b: is a directory, not an image file", fit.Message);

        // Transform: the bad row's getter throws, the rows before and after it still load.
        var view = good.Transform(study);
        using var cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        var loaded = new List<bool>();
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            try
            {
                getter(ref value);
                loaded.Add(value.DenseValues().Any(v => v != 0));
            }
            catch (ImageFormatException e)
            {
                StringAssert.Contains(e.Message, "subject sub-b: is a directory");
                loaded.Add(false);
            }
        }
        CollectionAssert.AreEqual(new[] { true, false, true }, loaded);
    }
}
