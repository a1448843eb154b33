using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>A fitted LoadNifti inside a model .zip: same output after Load, still a known-size column.</summary>
[TestClass]
public sealed class NiftiLoaderSavingTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    private sealed class Scored
    {
        public string Path { get; set; } = "";

        public float Score { get; set; }
    }

    [TestMethod]
    public void LoadNiftiThenFastTreeScoresIdenticallyInAFreshProcess()
    {
        using var dir = TestPaths.Scratch();
        // Brain size (and with it ventricle size) grows with "age": a FastTree on the voxels can pick that up.
        var rows = Enumerable.Range(0, 16).Select(s => new Row
        {
            participant_id = $"sub-{s:00}",
            Age = 20 + (4 * s),
            Path = TinyPhantoms.Write(dir.File($"sub-{s:00}.nii.gz"), 0.75 + (0.02 * s), s % 2 == 0 ? "RAS" : "LIA", seed: s),
        }).ToList();
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache") })
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Image", numberOfLeaves: 4, numberOfTrees: 20, minimumExampleCountPerLeaf: 2));
        var model = pipeline.Fit(data);
        var metrics = ml.Regression.Evaluate(model.Transform(data), labelColumnName: "Age");
        Assert.IsGreaterThan(0.5, metrics.RSquared, $"training R² {metrics.RSquared}");
        var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).ToDictionary(r => r.Path, r => r.Score);

        string zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);
        string cli = Path.Combine(AppContext.BaseDirectory, "xai4mri.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { cli, "predict", "--model", zip }.Concat(rows.Select(r => r.Path)))
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["XAI4MRI_CACHE_DIR"] = dir.File("cli-cache");
        using var process = Process.Start(psi)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, stderr);
        Assert.IsTrue(Directory.EnumerateFiles(dir.File("cli-cache"), "*.x4mc", SearchOption.AllDirectories).Any(), "the loaded model caches where the running machine says, not in the training cache");

        string[] lines = stdout.TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split('\t');
        int pathIndex = Array.IndexOf(header, "Path"), scoreIndex = Array.IndexOf(header, "Score"), imageIndex = Array.IndexOf(header, "Image");
        Assert.IsGreaterThanOrEqualTo(0, scoreIndex, lines[0]);
        Assert.HasCount(17, lines);
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split('\t');
            Assert.AreEqual(scores[fields[pathIndex]], float.Parse(fields[scoreIndex], CultureInfo.InvariantCulture), fields[pathIndex]);
            StringAssert.StartsWith(fields[imageIndex], $"[{string.Join('x', ((NiftiLoaderTransformer)model.First()).Settings.TargetShape)}] sha256=");
        }
    }

    [TestMethod]
    public void CrossValidationDecodesEachFileOnce()
    {
        using var dir = TestPaths.Scratch();
        var rows = Enumerable.Range(0, 20).Select(s => new Row
        {
            participant_id = $"sub-{s:00}",
            Age = 20 + (3 * s),
            Path = TinyPhantoms.Write(dir.File($"sub-{s:00}.nii.gz"), 0.75 + (0.015 * s), "LAS", seed: s),
        }).ToList();
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("cache") };
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", options)
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Image", numberOfLeaves: 4, numberOfTrees: 10, minimumExampleCountPerLeaf: 2));

        var folds = ml.Regression.CrossValidate(data, pipeline, numberOfFolds: 5, labelColumnName: "Age");

        Assert.HasCount(5, folds);
        var stats = VolumeCache.For(dir.File("cache")).Statistics;
        Assert.AreEqual(20, stats.Decodes, "each file decoded once across 5 fits and 5 evaluations");
        // Each fold reads its 16 training files in LoadNifti's Fit and again while FastTree passes over them, and its
        // 4 test files once: all of that after the first decode is served from the cache.
        Assert.IsGreaterThanOrEqualTo(5 * 20, stats.Hits, $"hits {stats.Hits}");
        Assert.AreEqual(0, stats.Rebuilt);
    }

    [TestMethod]
    public void SaveAndLoadGiveTheSameKnownSizeColumn()
    {
        using var dir = TestPaths.Scratch();
        var rows = Enumerable.Range(0, 3).Select(s => new Row
        {
            participant_id = $"sub-{s}",
            Path = TinyPhantoms.Write(dir.File($"sub-{s}.nii.gz"), 0.8 + (0.1 * s), s == 1 ? "LAS" : "RAS", seed: s),
        }).ToList();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache") }).Fit(data);
        var before = model.Transform(data).GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();

        string zip = dir.File("loader.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = new MLContext(2).Model.Load(zip, out var inputSchema);
        var output = loaded.Transform(data);

        var type = (VectorDataViewType)output.Schema["Image"].Type;
        CollectionAssert.AreEqual(model.Settings.TargetShape, type.Dimensions.ToArray());
        Assert.IsNull(output.Schema.GetColumnOrNull("__xai4mri_flat"), "helper columns are dropped");
        var after = output.GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.HasCount(3, after);
        for (int s = 0; s < 3; s++)
        {
            CollectionAssert.AreEqual(before[s], after[s], $"row {s}");
        }
        Assert.IsNotNull(inputSchema.GetColumnOrNull("Path"));
    }

    [TestMethod]
    public void ALoadedZipGivesItsLoaderSettingsAsFitted()
    {
        using var dir = TestPaths.Scratch();
        var rows = Enumerable.Range(0, 3).Select(s => new Row
        {
            participant_id = $"sub-{s}",
            Path = TinyPhantoms.Write(dir.File($"sub-{s}.nii.gz"), 0.8 + (0.1 * s), s == 1 ? "LAS" : "RAS", seed: s),
            Age = 30 + s,
        }).ToList();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new NiftiLoaderOptions { Orientation = "RAS", VoxelSize = [3.0, 2.5, 2.0], Normalization = IntensityNormalization.PerImage, CacheDirectory = dir.File("cache") };
        var model = ml.Transforms.LoadNifti("Image", "Path", options)
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Image", numberOfLeaves: 2, numberOfTrees: 2, minimumExampleCountPerLeaf: 1))
            .Fit(data);
        NiftiLoaderSettings fitted = ((NiftiLoaderTransformer)model.First()).Settings;
        string zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);

        var loaded = new MLContext(2).Model.Load(zip, out var inputSchema);
        Assert.IsFalse(((IEnumerable<ITransformer>)loaded).OfType<NiftiLoaderTransformer>().Any(), "a loaded zip holds ML.NET's own transformers, not ours");
        NiftiLoaderSettings read = SavedLoaderSettings.FromModel(loaded, inputSchema);
        Assert.AreEqual("RAS", read.Orientation);
        CollectionAssert.AreEqual(new[] { 3.0, 2.5, 2.0 }, read.VoxelSize);
        CollectionAssert.AreEqual(fitted.TargetShape, read.TargetShape);
        Assert.AreEqual(IntensityNormalization.PerImage, read.Normalization);
        Assert.AreEqual(fitted.ToJson(), read.ToJson(), "every fitted setting, the box and clip bounds included");
        Assert.AreEqual(fitted.ToJson(), SavedLoaderSettings.FromModelZip(zip).ToJson());
        Assert.AreSame(fitted, SavedLoaderSettings.FromModel(model, data.Schema), "a fitted chain gives its loader's own settings");

        // A pipeline without LoadNifti says so.
        var plain = ml.Transforms.Concatenate("F", "Age").Fit(data);
        var e = Assert.ThrowsExactly<ArgumentException>(() => SavedLoaderSettings.FromModel(plain, data.Schema));
        StringAssert.Contains(e.Message, "has no LoadNifti step");
    }
}
