using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>
/// The whole analysis on tiny phantom files: AnalyzeTransfer in a pipeline, the report's parts and outputs, the
/// no-signal flag on shuffled labels, and that the pretrained model is left untouched.
/// </summary>
[TestClass]
public sealed class TransferAnalysisTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }

        public string site { get; set; } = "";
    }

    private static readonly int[] Shape = [16, 16, 16];

    /// <summary>24 phantoms whose brain size grows with age (age = 20 + 2.5 s), scanned at two "sites" (orientations).</summary>
    private static List<Row> Rows(ScratchFolder dir, bool shuffleAges = false)
    {
        var rows = Enumerable.Range(0, 24).Select(s => new Row
        {
            participant_id = $"sub-{s:00}",
            Path = TinyPhantoms.Write(dir.File($"sub-{s:00}.nii.gz"), 0.6 + (0.015 * s), s % 2 == 0 ? "RAS" : "LIA", seed: s),
            Age = 20 + (2.5f * s),
            site = s % 2 == 0 ? "site-a" : "site-b",
        }).ToList();
        if (shuffleAges)
        {
            float[] ages = [.. rows.Select(r => r.Age)];
            new Random(4).Shuffle(ages);
            for (int i = 0; i < rows.Count; i++)
            {
                rows[i].Age = ages[i];
            }
        }
        return rows;
    }

    private static IEstimator<ITransformer> Loader(MLContext ml, ScratchFolder dir) =>
        ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { TargetShape = Shape, CacheDirectory = dir.File("cache") });

    private static MriNetModel Pretrained() => MriNetModel.CreateMriNet(Shape, ModelTask.Regression(50, "age"), seed: 3);

    [TestMethod]
    public void AnalysisReadsTheLoadersCacheInsteadOfDecodingTheFilesAgain()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(dir));
        using var pretrained = Pretrained();
        var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { TargetShape = Shape, VoxelSize = [2.0], CacheDirectory = dir.File("cache") }).Fit(data);
        var images = loader.Transform(data);
        var before = loader.CacheStatistics!;
        Assert.AreEqual(24, before.Decodes, "Fit decoded every file once");

        var report = TransferAnalysis.Analyze(ml, pretrained, images, "Age", options: new TransferAnalysisOptions { Folds = 4, TimingBatches = 1 });

        var after = loader.CacheStatistics!;
        Assert.AreEqual(before.Decodes, after.Decodes, "the analysis decoded no file");
        Assert.IsGreaterThanOrEqualTo(before.Hits + 24, after.Hits, "the dataset diagnostics read each prepared volume from the loader's cache");
        // What the diagnostics measured is the loader's prepared grid (2 mm), not a fresh decoding at the files' 1 mm.
        var first = report.Dataset.Images.Images[0];
        var prepared = loader.Pipeline.Prepare(first.Path);
        CollectionAssert.AreEqual(prepared.BoxShape, first.BrainExtentVoxels.ToArray());
        int[] native = BrainBox.Extent(Reorientation.Reorient(Volume.FromImage(MriImage.Load(first.Path)), "LIA"));
        CollectionAssert.AreNotEqual(native, prepared.BoxShape, "the check above tells the two apart");
    }

    [TestMethod]
    public void PipelineFitGivesAReportAndPassesRowsThroughUnchanged()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(dir));
        using var pretrained = Pretrained();
        var before = pretrained.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
        var lines = new List<string>();
        var logged = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "AnalyzeTransfer")
            {
                lock (logged)
                {
                    logged.Add(e.RawMessage);
                }
            }
        };

        var model = Loader(ml, dir).Append(ml.Transforms.AnalyzeTransfer("Age", "Image", pretrained, options: new TransferAnalysisOptions { Folds = 4, Seed = 2, Progress = new SyncProgress(lines.Add) })).Fit(data);
        var report = model.LastTransformer.Report;

        Assert.AreEqual(24, report.Subjects);
        Assert.AreEqual("Age", report.LabelColumnName);
        Assert.AreEqual(24, report.Dataset.RowCount);
        Assert.HasCount(6, report.Transferability.Probes);
        Assert.IsTrue(report.Transferability.Probes.All(p => p.Metric == "MAE"));
        // Age is the phantom's size, which the raw block means show directly: clearly better than predicting the mean.
        Assert.IsLessThan(0.6 * report.Transferability.ChanceLevel, report.Transferability.BestRaw.Mean);
        Assert.AreNotEqual(TransferApproach.TooLittleSignal, report.Recommendation.Approach, string.Join(" ", report.Recommendation.Reasons));
        Assert.IsGreaterThan(0.3, report.Recommendation.ExpectedSkill);
        Assert.IsTrue(report.Recommendation.SecondsPerEpoch > 0 && double.IsFinite(report.Recommendation.SecondsPerEpoch));
        // Two sites, in order of first appearance; the embedding has one point per subject.
        CollectionAssert.AreEqual(new[] { "site-a", "site-b" }, report.IntensityHistograms.Select(h => h.Group).ToArray());
        Assert.HasCount(24, report.Embedding.X);
        Assert.HasCount(24, report.LabelValues);
        // The learning curve has both feature sets at increasing sizes, the last one all training rows of a fold (24 − 24/4).
        Assert.AreEqual(18, report.LearningCurve.Max(p => p.N));
        CollectionAssert.AreEquivalent(new[] { "penultimate layer", "raw image (block means)" }, report.LearningCurve.Select(p => p.Features).Distinct().ToArray());
        // A fresh network carries no source statistics and no reference data was given.
        Assert.IsNull(report.DomainShift);
        Assert.IsTrue(lines.Any(l => l.StartsWith("features:", StringComparison.Ordinal)), string.Join("\n", lines));
        Assert.IsTrue(lines.Last().StartsWith("analysis done", StringComparison.Ordinal), lines.Last());
        CollectionAssert.IsSubsetOf(new[] { lines.Last() }, logged, "progress lines also reach MLContext.Log");

        // The analysis passes rows through, and the pretrained weights are untouched.
        var loaded = Loader(ml, dir).Fit(data).Transform(data);
        var passed = model.Transform(data);
        CollectionAssert.AreEqual(loaded.Schema.Select(c => c.Name).ToArray(), passed.Schema.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(loaded.GetColumn<float[]>("Image").First(), passed.GetColumn<float[]>("Image").First());
        foreach (var (name, tensor) in pretrained.Network.state_dict())
        {
            CollectionAssert.AreEqual(before[name], tensor.data<float>().ToArray(), name);
        }

        // Saved with ml.Model.Save the analysis is an empty step: the loaded chain gives the loader's output.
        string zip = dir.File("analysis.zip");
        ml.Model.Save(model, data.Schema, zip);
        var reloaded = new MLContext(seed: 1).Model.Load(zip, out _).Transform(data);
        CollectionAssert.AreEqual(loaded.Schema.Select(c => c.Name).ToArray(), reloaded.Schema.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(loaded.GetColumn<float[]>("Image").Last(), reloaded.GetColumn<float[]>("Image").Last());
    }

    [TestMethod]
    public void ReportRendersAsMarkdownJsonAndAFolderWithFigures()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var data = Loader(ml, dir).Fit(ml.Data.LoadFromEnumerable(Rows(dir))).Transform(ml.Data.LoadFromEnumerable(Rows(dir)));
        using var pretrained = Pretrained();
        var report = TransferAnalysis.Analyze(ml, pretrained, data, "Age", options: new TransferAnalysisOptions { Folds = 4 });

        string md = report.ToMarkdown();
        StringAssert.StartsWith(md, "# Transfer analysis: `Age`, 24 subjects");
        StringAssert.Contains(md, "**Recommendation: ");
        StringAssert.Contains(md, "## Transferability");
        StringAssert.Contains(md, "## Dataset diagnostics");
        StringAssert.Contains(md, "## Model diagnostics");
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.AreEqual(report.Recommendation.Approach.ToString(), json.RootElement.GetProperty("Recommendation").GetProperty("Approach").GetString());
        Assert.AreEqual(24, json.RootElement.GetProperty("Subjects").GetInt32());

        string folder = dir.File("report");
        report.Save(folder);
        foreach (var (file, _) in TransferReport.Figures)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(folder, file));
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4], file);
        }
        string saved = File.ReadAllText(Path.Combine(folder, "report.md"));
        StringAssert.Contains(saved, "![Label distribution](label-distribution.png)");
        using var savedJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        Assert.AreEqual(24, savedJson.RootElement.GetProperty("Subjects").GetInt32());
        CollectionAssert.AreEquivalent(new[] { "report.md", "report.json" }.Concat(TransferReport.Figures.Select(f => f.File)).ToArray(),
            Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "no temporary files left behind");
    }

    [TestMethod]
    public void ShuffledLabelsAreFlaggedAsTooLittleSignal()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        // Without a site column: one intensity histogram for all images.
        var rows = ml.Transforms.DropColumns("site").Fit(ml.Data.LoadFromEnumerable(Rows(dir, shuffleAges: true))).Transform(ml.Data.LoadFromEnumerable(Rows(dir, shuffleAges: true)));
        var data = Loader(ml, dir).Fit(rows).Transform(rows);
        using var pretrained = Pretrained();

        var report = TransferAnalysis.Analyze(ml, pretrained, data, "Age", options: new TransferAnalysisOptions { Folds = 4 });

        Assert.AreEqual("all images", report.IntensityHistograms.Single().Group);

        Assert.AreEqual(TransferApproach.TooLittleSignal, report.Recommendation.Approach,
            $"skill {report.Recommendation.ExpectedSkill}: {string.Join(" ", report.Recommendation.Reasons)}");
        StringAssert.Contains(report.Recommendation.Reasons[0], "No probe beats chance clearly");
        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => report.Recommendation.ToTrainerOptions("Age", pretrained));
        StringAssert.Contains(refused.Message, "no training is advised");
    }

    [TestMethod]
    public void DomainShiftIsMeasuredAgainstStoredStatisticsOrReferenceData()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var rows = Rows(dir);
        var all = Loader(ml, dir).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var siteA = ml.Data.FilterByCustomPredicate<SiteRow>(all, r => r.site != "site-a");
        using var pretrained = Pretrained();

        // Reference data = the data itself: no shift at all.
        var same = TransferAnalysis.Analyze(ml, pretrained, all, "Age", options: new TransferAnalysisOptions { Folds = 4, ReferenceData = all });
        Assert.IsNotNull(same.DomainShift);
        Assert.AreEqual(0, same.DomainShift.MeanAbsoluteShift, 1e-9);
        Assert.AreEqual("none", same.DomainShift.Level);
        StringAssert.Contains(same.DomainShift.Reference, "reference data (24 images)");

        // Statistics stored with the model win over reference data, and survive Save/Load.
        pretrained.RecordSourceStatistics(siteA, description: "site A");
        string file = dir.File("model.x4m");
        pretrained.Save(file);
        using var reloaded = MriNetModel.Load(file);
        Assert.IsNotNull(reloaded.SourceStatistics);
        CollectionAssert.AreEqual(pretrained.SourceStatistics!.Mean, reloaded.SourceStatistics.Mean);
        Assert.AreEqual("site A (12 images)", reloaded.SourceStatistics.Description);
        var stored = TransferAnalysis.Analyze(ml, reloaded, all, "Age", options: new TransferAnalysisOptions { Folds = 4, ReferenceData = all });
        StringAssert.Contains(stored.DomainShift!.Reference, "source statistics stored with the model (site A (12 images))");
    }

    private sealed class SiteRow
    {
        public string site { get; set; } = "";
    }

    [TestMethod]
    public void SourceStatisticsAreTheMeanAndSdOfThePenultimateFeatures()
    {
        var ml = new MLContext(seed: 1);
        var rows = Transfer.TransferData.Rows(10);
        using var model = MriNetModel.CreateMriNet(Transfer.TransferData.Shape, ModelTask.Regression(40), seed: 5);

        model.RecordSourceStatistics(Transfer.TransferData.Load(ml, rows));

        // Reference: each image through the network on its own, then NumPy-style population statistics by hand.
        int layer = model.Spec.PenultimateIndex;
        model.Network.eval();
        var features = rows.Select(r =>
        {
            using var x = TorchSharp.torch.tensor(r.Image, [1, 1, 16, 16, 16]);
            using var y = model.Network.ForwardTo(x, layer);
            return y.data<float>().ToArray();
        }).ToList();
        var s = model.SourceStatistics!;
        Assert.AreEqual(layer, s.LayerIndex);
        Assert.AreEqual(10, s.Count);
        for (int j = 0; j < s.Mean.Length; j++)
        {
            double mean = features.Average(f => (double)f[j]);
            double sd = Math.Sqrt(features.Average(f => Math.Pow(f[j] - mean, 2)));
            Assert.AreEqual(mean, s.Mean[j], 1e-4 * Math.Max(1, Math.Abs(mean)), $"mean {j}");
            Assert.AreEqual(sd, s.StandardDeviation[j], 1e-4 * Math.Max(1, sd), $"sd {j}");
        }
    }

    [TestMethod]
    public void MissingColumnsAreNamed()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(Rows(dir));
        var data = Loader(ml, dir).Fit(rows).Transform(rows);
        using var pretrained = Pretrained();

        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TransferAnalysis.Analyze(ml, pretrained, data, "age"));
        StringAssert.Contains(label.Message, "label column 'age' not found");
        var path = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TransferAnalysis.Analyze(ml, pretrained, data, "Age", options: new TransferAnalysisOptions { PathColumnName = "File" }));
        StringAssert.Contains(path.Message, "path column 'File' not found");
        var site = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TransferAnalysis.Analyze(ml, pretrained, data, "Age", options: new TransferAnalysisOptions { SiteColumnName = "scanner" }));
        StringAssert.Contains(site.Message, "site column 'scanner' not found");
        var schema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AnalyzeTransfer("Age", "Image", pretrained).Fit(rows));
        StringAssert.Contains(schema.Message, "image column 'Image' not found");
    }

    [TestMethod]
    public void CancelExecutionStopsTheAnalysisAtItsNextStep()
    {
        using var dir = TestPaths.Scratch();
        using var pretrained = Pretrained();

        // In a pipeline: cancelling the caller's context (not the analysis's private one) stops it.
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(Rows(dir));
        var lines = new List<string>();
        var options = new TransferAnalysisOptions { Folds = 4, Progress = new SyncProgress(line =>
        {
            lines.Add(line);
            if (line.StartsWith("features: running", StringComparison.Ordinal))
            {
                MLContextCancellation.CancelExecution(ml);
            }
        }) };
        Assert.ThrowsExactly<OperationCanceledException>(() => Loader(ml, dir).Append(ml.Transforms.AnalyzeTransfer("Age", "Image", pretrained, options: options)).Fit(rows));
        Assert.AreEqual("features: running the pretrained network over the images", lines.Last(), "no step after the cancelled one: " + string.Join(" | ", lines));

        // Called directly, the given context is the one that cancels.
        var direct = new MLContext(seed: 1);
        var data = Loader(direct, dir).Fit(rows).Transform(rows);
        var first = new List<string>();
        var directOptions = new TransferAnalysisOptions { Folds = 4, Progress = new SyncProgress(line => { first.Add(line); MLContextCancellation.CancelExecution(direct); }) };
        Assert.ThrowsExactly<OperationCanceledException>(() => TransferAnalysis.Analyze(direct, pretrained, data, "Age", options: directOptions));
        Assert.HasCount(1, first, string.Join(" | ", first));
    }

    /// <summary>Reports on the caller's thread, in order (System.Progress posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
