using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>
/// The dataset diagnostics on heterogeneous data: the real scans of Fixtures/realheads (heads and extracted brains,
/// T1w and T2w, three voxel sizes, two orientations, three data types), synthetic scans with a known bias field and
/// a field of view that cuts the brain, and images without a head.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class RealDataDiagnosticsTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    private static string Real(string name) => TestPaths.Fixture(Path.Combine("realheads", name));

    private static DatasetReport Compute(IEnumerable<(string Id, string Path)> rows, Func<string, PreparedVolume>? prepared = null)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { participant_id = r.Id, Path = r.Path, Age = 20 + i }).ToList());
        return DatasetDiagnostics.Compute(ml, data, "Age", options: new DatasetDiagnosticsOptions { MaxDegreeOfParallelism = 1, ModelVoxelSize = [3], ModelInputShape = [64, 72, 64], Prepared = prepared });
    }

    private static readonly (string Id, string Path)[] RealScans =
    [
        ("sub-t1head", Real("ch2_t1w_head_3mm.nii.gz")),
        ("sub-t1brain", Real("ch2bet_t1w_brain_3mm.nii.gz")),
        ("sub-t2head", Real("clinical_t2w_head_2x2x4mm.nii.gz")),
        ("sub-t2brain", Real("stroke_t2w_brain_3mm.nii.gz")),
    ];

    [TestMethod]
    public void RealScansAreJudgedPerImageAndCounted()
    {
        var report = Compute(RealScans);
        var images = report.Images;

        CollectionAssert.AreEqual(new[] { "sub-t1head", "sub-t2head" }, images.NotBrainExtracted.ToArray());
        Assert.AreEqual((2, 2, 0), images.VerdictCounts);
        Assert.IsTrue(images.MixedVoxelSizes && images.MixedOrientations);
        CollectionAssert.AreEquivalent(new[] { "UInt8", "Int16" }, images.DataTypes.Select(t => t.Value).ToArray());
        Assert.IsTrue(report.Warnings.Any(w => w.StartsWith("2 images are not brain-extracted", StringComparison.Ordinal) && w.Contains("BrainExtraction.Auto")), string.Join("\n", report.Warnings));
        // The clinical T2w covers 120 mm of the head: the field of view cuts its brain above (the head check
        // ignores the neck's lower face for heads); the others hold the whole brain.
        var t2 = images.Images[2];
        Assert.IsTrue(t2.FieldOfViewCut.Any(f => f.StartsWith("superior", StringComparison.Ordinal)), string.Join(", ", t2.FieldOfViewCut));
        CollectionAssert.AreEqual(new[] { "sub-t2head" }, images.CutByFieldOfView.ToArray(), string.Join("; ", images.Images.Select(i => $"{i.Subject}: {string.Join(", ", i.FieldOfViewCut)}")));
        foreach (var image in images.Images)
        {
            Assert.IsTrue(image.BiasFieldStrength is >= 0 and < 0.5, $"{image.Subject}: {image.BiasFieldStrength}");
        }
        string md = report.ToMarkdown();
        StringAssert.Contains(md, "| head check | brain-extracted 2, not brain-extracted 2, no head 0 (stripped by the loader: 0) |");
        StringAssert.Contains(md, "| sub-t1head | 60×72×60 | 3×3×3 | RAS |");
        StringAssert.Contains(md, "| head (not brain-extracted) |");
    }

    [TestMethod]
    public void TheAnalysisSaysWhenTheModelExpectsExtractedBrainsAndSuggestsAuto()
    {
        var data = Compute(RealScans);
        using var model = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(30), conventions: new InputConventions { VoxelSize = [3.0], BrainExtracted = true });

        var report = ModelDiagnostics.Compute(model, data);

        string finding = report.Compatibility.Single(f => f.StartsWith("The model expects brain-extracted images", StringComparison.Ordinal));
        Assert.AreEqual(
            "The model expects brain-extracted images; the head check finds 2 heads (scalp and skull around the brain): sub-t1head, sub-t2head. "
            + "Load them with NiftiLoaderOptions.BrainExtraction = BrainExtraction.Auto (xai4mri --brain-extraction auto), which strips the heads, or skull-strip them first.",
            finding);
        Assert.AreEqual(BrainExtraction.Auto, report.LoaderSettings.BrainExtraction);
        StringAssert.Contains(report.ToMarkdown(), "`BrainExtraction = BrainExtraction.Auto`");
    }

    [TestMethod]
    public void ImagesStrippedByTheLoaderAreNoLongerHeads()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(1);
        // One head and one extracted brain: stripping is what costs here (BrainExtractionLoadingTests strips both heads).
        (string Id, string Path)[] scans = [RealScans[0], RealScans[3]];
        var study = ml.Data.LoadFromEnumerable(scans.Select(r => new Row { participant_id = r.Id, Path = r.Path }).ToList());
        var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { BrainExtraction = BrainExtraction.Auto, CacheDirectory = dir.File("cache"), MaxDegreeOfParallelism = 1 }).Fit(study);
        var pipeline = LoaderPipeline.Of(loader.GetOutputSchema(study.Schema)["Image"])!;

        var report = Compute(scans, pipeline.Prepare);

        Assert.IsEmpty(report.Images.NotBrainExtracted);
        CollectionAssert.AreEqual(new[] { "sub-t1head" }, report.Images.StrippedByLoader.ToArray());
        Assert.AreEqual((1, 1, 0), report.Images.VerdictCounts, "the verdicts are of the files as stored");
        StringAssert.Contains(report.ToMarkdown(), "| head, stripped by the loader |");
    }

    [TestMethod]
    public void BiasFieldStrengthTracksTheTrueField()
    {
        using var dir = TestPaths.Scratch();
        double[] strengths = [0, 0.2, 0.4, 0.8];
        // Noise-free, so that the ratio of a shaded scan to the unshaded one is the true field.
        var scans = strengths.Select(s => SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = dir.File($"bias-{s}"), Subjects = 1, Seed = 5, VoxelSize = 3,
            Sites = [SiteProfile.SiteA with { BiasFieldStrength = s, NoiseLevel = 0 }],
        }).Subjects[0].Path).ToList();

        var report = Compute(scans.Select((p, i) => ($"sub-{i}", p)));

        var flat = SyntheticHeads.Load(scans[0]).Data;
        for (int i = 0; i < strengths.Length; i++)
        {
            var shaded = SyntheticHeads.Load(scans[i]).Data;
            var ratio = flat.Select((v, o) => (v, o)).Where(t => t.v > 0).Select(t => (double)shaded[t.o] / t.v).ToList();
            double mean = ratio.Average();
            double truth = Math.Sqrt(ratio.Average(r => (r - mean) * (r - mean))) / mean;
            double reported = report.Images.Images[i].BiasFieldStrength;
            Assert.AreEqual(truth, reported, 0.02 + (0.25 * truth), $"strength {strengths[i]}: true field's CV {truth:F3}, reported {reported:F3}; all: {string.Join(", ", report.Images.Images.Select(im => im.BiasFieldStrength.ToString("F3")))}");
        }
        Assert.IsTrue(report.Images.Images.Select(i => i.BiasFieldStrength).Zip(report.Images.Images.Skip(1).Select(i => i.BiasFieldStrength)).All(p => p.First < p.Second), "the reported strength grows with the field");
        CollectionAssert.Contains(report.Images.StrongBiasField.ToList(), "sub-3");
        Assert.IsTrue(report.Warnings.Any(w => w.Contains("strong intensity non-uniformity") && w.Contains("sub-3")), string.Join("\n", report.Warnings));
    }

    [TestMethod]
    public void AFieldOfViewThatCutsTheBrainIsReportedWithTheCutArea()
    {
        using var dir = TestPaths.Scratch();
        string Scan(double height) => SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = dir.File($"fov-{height}"), Subjects = 1, Seed = 2, VoxelSize = 3,
            Sites = [SiteProfile.SiteA with { MaxShift = 0, FieldOfView = (192, 228, height) }],
        }).Subjects[0].Path;
        string whole = Scan(192), cut = Scan(108);

        var report = Compute([("sub-whole", whole), ("sub-cut", cut)]);

        Assert.IsEmpty(report.Images.Images[0].FieldOfViewCut);
        CollectionAssert.AreEqual(new[] { "sub-cut" }, report.Images.CutByFieldOfView.ToArray());
        var faces = report.Images.Images[1].FieldOfViewCut;
        Assert.IsTrue(faces.Any(f => f.StartsWith("superior", StringComparison.Ordinal)) && faces.Any(f => f.StartsWith("inferior", StringComparison.Ordinal)), string.Join(", ", faces));
        // The truth: the brain's cross-section in the whole scan at the height of the cut scan's top slice.
        var big = SyntheticHeads.Load(whole);
        var small = SyntheticHeads.Load(cut);
        double top = Enumerable.Range(0, small.Shape[2]).Max(k => small.Affine.Apply(0, 0, k).Z);
        int slice = Enumerable.Range(0, big.Shape[2]).MinBy(k => Math.Abs(big.Affine.Apply(0, 0, k).Z - top));
        float level = 0.1f * big.Data.Where(v => v > 0).Order().ElementAt((int)(0.98 * big.Data.Count(v => v > 0)));
        long count = 0;
        for (int i = 0; i < big.Shape[0]; i++)
        {
            for (int j = 0; j < big.Shape[1]; j++)
            {
                count += big[i, j, slice] > level ? 1 : 0;
            }
        }
        double truthCm2 = count * 9 / 100.0;
        var prepared = new VolumePipeline(false, 0, [new ReorientStep("LIA")], new PlaceInBox([64, 72, 64], true, 0), null).Prepare(cut);
        double reported = FieldOfViewCut.Areas(prepared, 0).Single(a => a.Face == "superior").AreaCm2;
        Assert.AreEqual(truthCm2, reported, 0.2 * truthCm2, $"true cross-section {truthCm2:F0} cm², reported {reported:F0} cm²");
        StringAssert.Contains(string.Join(", ", faces), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"superior ({reported:F0} cm²)"));
    }

    [TestMethod]
    public void ImagesWithoutAHeadAreNamedAndTheOthersAnalysed()
    {
        using var dir = TestPaths.Scratch();
        string empty = dir.File("empty.nii.gz"), blob = dir.File("blob.nii.gz"), small = dir.File("small.nii.gz");
        BadImages.Write(empty, blob, small);

        var report = Compute([("sub-good", Real("stroke_t2w_brain_3mm.nii.gz")), ("sub-empty", empty), ("sub-blob", blob), ("sub-small", small)]);

        var images = report.Images;
        Assert.HasCount(4, images.Images);
        Assert.AreEqual(HeadCheckVerdict.BrainExtracted, images.Images[0].HeadCheck.Verdict);
        Assert.IsTrue(double.IsFinite(images.Images[0].BiasFieldStrength));
        StringAssert.StartsWith(images.Problems.Single(), "sub-empty: the image is all background");
        CollectionAssert.AreEqual(new[] { "sub-blob", "sub-small" }, images.NoHead.ToArray());
        StringAssert.Contains(images.Images[2].HeadCheck.Reason, "a uniform blob");
        Assert.IsTrue(double.IsNaN(images.Images[1].BiasFieldStrength));
        Assert.IsTrue(report.Warnings.Any(w => w.StartsWith("1 image holds nothing to learn from", StringComparison.Ordinal)), string.Join("\n", report.Warnings));
        Assert.IsTrue(report.Warnings.Any(w => w.StartsWith("2 images show no head or brain", StringComparison.Ordinal) && w.Contains("sub-blob (")), string.Join("\n", report.Warnings));
        StringAssert.Contains(report.ToMarkdown(), "| sub-empty |");
    }
}
