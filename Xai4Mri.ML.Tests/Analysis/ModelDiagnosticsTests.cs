using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>ModelDiagnostics: parameter counts per freeze choice, head adaptation, and input compatibility findings.</summary>
[TestClass]
public sealed class ModelDiagnosticsTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }

        public string Group { get; set; } = "";
    }

    private static DatasetReport Data(ScratchFolder dir, string label, int n = 10)
    {
        var rows = Enumerable.Range(0, n).Select(s => new Row
        {
            participant_id = $"sub-{s:00}",
            Path = TinyPhantoms.Write(dir.File($"sub-{s:00}.nii.gz"), 0.7 + (0.02 * s), s < 3 ? "RAS" : "LIA", voxel: s == 0 ? 3 : 4, seed: s),
            Age = 20 + (5 * s),
            Group = s % 2 == 0 ? "a" : "b",
        }).ToList();
        var ml = new MLContext(seed: 1);
        return DatasetDiagnostics.Compute(ml, ml.Data.LoadFromEnumerable(rows), label);
    }

    [TestMethod]
    public void CountsParametersPerFreezeChoiceAndSamplesPerParameter()
    {
        using var dir = TestPaths.Scratch();
        var data = Data(dir, "Age");
        using var model = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(50, "age"), conventions: new InputConventions { VoxelSize = [4.0] });

        var report = ModelDiagnostics.Compute(model, data);

        // MRInet 45x54x45 regression: 95,185 parameters (Keras' count, see ModelInfoCommandTests); Dense 64 has
        // (32·2·2·2)·64 + 64 = 16,448 weights and the head 64 + 1 = 65: 16,513 dense; the head alone 65.
        Assert.AreEqual(95_185, report.TotalParameters);
        CollectionAssert.AreEqual(new[] { "all layers", "dense layers only", "head only" }, report.FreezeChoices.Select(f => f.Name).ToArray());
        CollectionAssert.AreEqual(new long[] { 95_185, 16_513, 65 }, report.FreezeChoices.Select(f => f.TrainableParameters).ToArray());
        Assert.AreEqual(8.0 / 65, report.FreezeChoices[2].SamplesPerTrainableParameter, 1e-12, "8 of 10 subjects train");
        StringAssert.Contains(report.HeadAdaptation, "kept (one linear output; its bias stays 50 while the new label's mean is 42.5)");
        Assert.AreEqual("regression of age, target mean 50", report.SourceTask);
    }

    [TestMethod]
    public void ReportsTheHeadChangeAndHowToConformTheImages()
    {
        using var dir = TestPaths.Scratch();
        var data = Data(dir, "Group");
        using var model = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(50), conventions: new InputConventions { VoxelSize = [4.0] });

        var report = ModelDiagnostics.Compute(model, data);

        Assert.AreEqual("replaced: 1 output → 2 softmax units without bias", report.HeadAdaptation);
        CollectionAssert.AreEqual(new[] { 45, 54, 45 }, report.LoaderSettings.TargetShape);
        CollectionAssert.AreEqual(new[] { 4.0 }, report.LoaderSettings.VoxelSize, "NiftiLoaderOptions.For(model): the model's own voxel size");
        Assert.AreEqual("LIA", report.LoaderSettings.Orientation);
        Assert.IsTrue(report.Compatibility.Any(f => f.StartsWith("Images are stored as LIA (7), RAS (3); the model expects LIA", StringComparison.Ordinal)), string.Join("\n", report.Compatibility));
        Assert.IsTrue(report.Compatibility.Any(f => f.Contains("3×3×3 mm (1)", StringComparison.Ordinal) && f.Contains("LoadNifti resamples (VoxelSize = [4, 4, 4])", StringComparison.Ordinal)), string.Join("\n", report.Compatibility));
        string md = report.ToMarkdown();
        // The new head: 64 inputs × 2 classes, no bias (xai4mri's softmax head).
        StringAssert.Contains(md, "| head only | 128 | 0.0625 |");
        Assert.AreEqual(95_185 - 65 + 128, report.TotalParameters);
        StringAssert.Contains(md, "`TargetShape = [45, 54, 45]`");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelDiagnostics.Compute(model, data, trainingFraction: 0));
    }
}
