using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Microsoft.ML.Data;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>
/// The head check in the loader's fit and <see cref="NiftiLoaderOptions.BrainExtraction"/> on the real scans of
/// Fixtures/realheads (T1w and T2w, with skull and extracted), and bad input (no head, a uniform blob, an object
/// too small for a brain) that must not cost the other subjects.
/// </summary>
[TestClass]
// Brain extraction keeps both cores busy; run after the parallel tests.
[DoNotParallelize]
public sealed class BrainExtractionLoadingTests
{
    private static readonly (string Id, string File, bool Head)[] Scans =
    [
        ("sub-t1head", "ch2_t1w_head_3mm.nii.gz", true),
        ("sub-t1brain", "ch2bet_t1w_brain_3mm.nii.gz", false),
        ("sub-t2head", "clinical_t2w_head_2x2x4mm.nii.gz", true),
        ("sub-t2brain", "stroke_t2w_brain_3mm.nii.gz", false),
    ];

    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";
    }

    private static string Real(string name) => TestPaths.Fixture(Path.Combine("realheads", name));

    private static IDataView Study(MLContext ml, IEnumerable<(string Id, string Path)> rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new Row { participant_id = r.Id, Path = r.Path }).ToList());

    private static NiftiLoaderOptions Options(ScratchFolder dir, BrainExtraction extraction) =>
        new() { CacheDirectory = dir.File("cache"), BrainExtraction = extraction, MaxDegreeOfParallelism = 1 };

    [TestMethod]
    public void RealHeadsAreNotBrainExtractedAndAutoStripsOnlyThem()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(1);
        var study = Study(ml, Scans.Select(s => (s.Id, Real(s.File))));

        var plain = ml.Transforms.LoadNifti("Image", "Path", Options(dir, BrainExtraction.None)).Fit(study).FitReport;

        string[] heads = [.. Scans.Where(s => s.Head).Select(s => s.Id)];
        CollectionAssert.AreEquivalent(heads, plain.ImagesNotBrainExtracted.ToArray());
        Assert.AreEqual((2, 2, 0), plain.VerdictCounts);
        Assert.IsEmpty(plain.ImagesStripped);
        Assert.IsEmpty(plain.ImageProblems);
        string warning = plain.Warnings.Single(w => w.Contains("not brain-extracted"));
        StringAssert.Contains(warning, "sub-t1head");
        StringAssert.Contains(warning, "set NiftiLoaderOptions.BrainExtraction to BrainExtraction.Auto");
        Assert.AreEqual(HeadCheckVerdict.NotBrainExtracted, plain.HeadChecks.Single(h => h.Subject == "sub-t2head").Verdict);

        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(dir, BrainExtraction.Auto)).Fit(study);
        var auto = loader.FitReport;

        CollectionAssert.AreEquivalent(heads, auto.ImagesStripped.ToArray());
        Assert.IsEmpty(auto.ImagesNotBrainExtracted);
        Assert.AreEqual((2, 2, 0), auto.VerdictCounts, "the verdicts are of the files as stored");
        Assert.IsFalse(auto.Warnings.Any(w => w.Contains("not brain-extracted")), string.Join("\n", auto.Warnings));
        // The stripped head holds what BrainExtractor finds on the file (reorienting only permutes voxels), a
        // plausible brain (Colin 27 lies in MNI space; with CSF and some brainstem, see docs/brain-extraction.md).
        var head = Volume.FromImage(MriImage.Load(Real("ch2_t1w_head_3mm.nii.gz")));
        var direct = BrainExtractor.Extract(head);
        var loaded = loader.LoadUnpruned(Real("ch2_t1w_head_3mm.nii.gz"));
        long inside = loaded.Data.LongCount(v => v != 0);
        Assert.AreEqual(direct.Stripped.Data.LongCount(v => v != 0), inside);
        Assert.IsTrue(inside * 27 / 1000.0 is > 1500 and < 2700, $"{inside * 27 / 1000.0:F0} mL");
        // An extracted brain is left as it is: the same voxels as without brain extraction.
        var brain = Volume.FromImage(MriImage.Load(Real("stroke_t2w_brain_3mm.nii.gz")));
        Assert.AreEqual(brain.Data.LongCount(v => v != 0), loader.LoadUnpruned(Real("stroke_t2w_brain_3mm.nii.gz")).Data.LongCount(v => v != 0));

        // Back to the file's voxels: a map of ones is 1 exactly on the brain and the background outside it.
        var ones = Enumerable.Repeat(1f, loader.Settings.OutputLength).ToArray();
        var native = loader.ToNative(Real("ch2_t1w_head_3mm.nii.gz"), ones);
        CollectionAssert.AreEqual(head.Shape, native.Shape);
        Assert.AreEqual(head.Affine, native.Affine);
        for (int i = 0; i < native.Data.Length; i++)
        {
            Assert.AreEqual(direct.Stripped.Data[i] != 0 ? 1f : 0f, native.Data[i], $"voxel {i}");
        }
    }

    [TestMethod]
    public void SyntheticHeadsAreNotBrainExtractedAndTheirStrippedCopiesAre()
    {
        using var dir = TestPaths.Scratch();
        // Children to the elderly, half of them patients (atrophy), two contrasts, noise and bias fields of the sites.
        var pairs = SyntheticHeads.Generate(dir.Path, [ML.Synthetic.SiteProfile.SiteB, ML.Synthetic.SiteProfile.SiteD], 3, subjects: 4, seed: 13, minAge: 6, maxAge: 88, patientFraction: 0.5);
        var ml = new MLContext(1);
        var study = Study(ml, pairs.SelectMany(p => new[] { ($"{p.Subject.Id}-head", p.Subject.Path), ($"{p.Subject.Id}-brain", Path.Combine(dir.Path, "brain", Path.GetRelativePath(Path.Combine(dir.Path, "head"), p.Subject.Path))) }));

        var report = ml.Transforms.LoadNifti("Image", "Path", Options(dir, BrainExtraction.None)).Fit(study).FitReport;

        CollectionAssert.AreEquivalent(pairs.Select(p => $"{p.Subject.Id}-head").ToArray(), report.ImagesNotBrainExtracted.ToArray(), string.Join("\n", report.HeadChecks.Select(h => $"{h.Subject}: {h.Evidence}")));
        Assert.AreEqual((4, 4, 0), report.VerdictCounts);
    }

    [TestMethod]
    public void CacheKeysNameBrainExtractionOnlyWhenItIsOn()
    {
        static string Key(BrainExtraction e) =>
            NiftiLoaderSettings.From(new NiftiLoaderOptions { BrainExtraction = e }).Pipeline().CacheKey;

        // The text earlier versions wrote (VolumeCacheTests holds the same), so their cache entries stay valid.
        Assert.AreEqual("v1;orient=LIA;vox=native;4d=False;bg=0", Key(BrainExtraction.None));
        Assert.AreEqual("v1;orient=LIA;vox=native;4d=False;bg=0;brain=auto", Key(BrainExtraction.Auto));
        Assert.AreEqual("v1;orient=LIA;vox=native;4d=False;bg=0;brain=always", Key(BrainExtraction.Always));
        var steps = NiftiLoaderSettings.From(new NiftiLoaderOptions { BrainExtraction = BrainExtraction.Auto, VoxelSize = [2] }).Pipeline().CachedSteps;
        CollectionAssert.AreEqual(new[] { "brain=auto", "orient=LIA", "vox=2" }, steps.Select(s => s.Key).ToArray(), "brain extraction comes first, on the file's own grid");
    }

    [TestMethod]
    public void SettingsJsonWithoutBrainExtractionReadsAsNone()
    {
        var auto = NiftiLoaderSettings.From(new NiftiLoaderOptions { BrainExtraction = BrainExtraction.Auto });
        string json = auto.ToJson();
        StringAssert.Contains(json, "\"BrainExtraction\":1");
        Assert.AreEqual(BrainExtraction.Auto, NiftiLoaderSettings.FromJson(json).BrainExtraction);
        // What versions before the option wrote: no BrainExtraction field.
        string old = json.Replace("\"BrainExtraction\":1,", "", StringComparison.Ordinal);
        Assert.DoesNotContain("BrainExtraction", old);
        Assert.AreEqual(BrainExtraction.None, NiftiLoaderSettings.FromJson(old).BrainExtraction);
        var e = Assert.ThrowsExactly<FormatException>(() => NiftiLoaderSettings.FromJson(json.Replace("\"BrainExtraction\":1", "\"BrainExtraction\":7", StringComparison.Ordinal)));
        StringAssert.Contains(e.Message, "NiftiLoaderSettings.BrainExtraction: 7 is not a BrainExtraction");
        var bad = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { BrainExtraction = (BrainExtraction)9 }));
        StringAssert.Contains(bad.Message, "NiftiLoaderOptions.BrainExtraction: 9 is not a BrainExtraction");
    }

    [TestMethod]
    public void ModelsTrainedOnBrainExtractedScansGetAuto()
    {
        using var extracted = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(0), conventions: new InputConventions { BrainExtracted = true });
        using var heads = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(0), conventions: new InputConventions { BrainExtracted = false });

        Assert.AreEqual(BrainExtraction.Auto, NiftiLoaderOptions.For(extracted).BrainExtraction);
        Assert.AreEqual(BrainExtraction.None, NiftiLoaderOptions.For(heads).BrainExtraction);
        Assert.AreEqual(BrainExtraction.None, new NiftiLoaderOptions().BrainExtraction);
    }

    [TestMethod]
    public void BadInputIsAProblemOfItsSubjectAndTheOthersLoad()
    {
        using var dir = TestPaths.Scratch();
        string empty = dir.File("empty.nii.gz"), blob = dir.File("blob.nii.gz"), small = dir.File("small.nii.gz");
        BadImages.Write(empty, blob, small);
        var ml = new MLContext(1);
        var study = Study(ml, [("sub-good", Real("stroke_t2w_brain_3mm.nii.gz")), ("sub-empty", empty), ("sub-blob", blob), ("sub-small", small)]);

        var plain = ml.Transforms.LoadNifti("Image", "Path", Options(dir, BrainExtraction.None)).Fit(study);

        Assert.AreEqual(4, plain.FitReport.ImageCount);
        Assert.AreEqual((1, 0, 3), plain.FitReport.VerdictCounts);
        string emptyProblem = plain.FitReport.ImageProblems.Single();
        StringAssert.StartsWith(emptyProblem, "sub-empty: the image is all background");
        StringAssert.Contains(plain.FitReport.HeadChecks.Single(h => h.Subject == "sub-blob").Evidence, "a uniform blob");
        StringAssert.Contains(plain.FitReport.HeadChecks.Single(h => h.Subject == "sub-small").Evidence, "less than the 250 mL of the smallest brain");
        Assert.IsTrue(plain.FitReport.Warnings.Any(w => w.Contains("show no head or brain") && w.Contains("sub-blob") && w.Contains("sub-small")), string.Join("\n", plain.FitReport.Warnings));

        var always = ml.Transforms.LoadNifti("Image", "Path", Options(dir, BrainExtraction.Always)).Fit(study);

        var problems = always.FitReport.ImageProblems;
        Assert.HasCount(3, problems, string.Join("\n", problems));
        StringAssert.Contains(problems.Single(p => p.StartsWith("sub-empty:", StringComparison.Ordinal)), "cannot extract the brain: the image has no intensity range");
        StringAssert.Contains(problems.Single(p => p.StartsWith("sub-blob:", StringComparison.Ordinal)), "it is a uniform blob, not a brain");
        StringAssert.Contains(problems.Single(p => p.StartsWith("sub-small:", StringComparison.Ordinal)), "less than the 250 mL of the smallest brain");
        Assert.IsTrue(always.FitReport.Warnings.Any(w => w.StartsWith("3 of 4 images hold nothing to learn from", StringComparison.Ordinal)), string.Join("\n", always.FitReport.Warnings));
        // The good subject is stripped again (its brain kept) and loads; the others load as background.
        Assert.AreEqual("sub-good", always.FitReport.ImagesStripped.Single());
        Assert.IsTrue(always.LoadUnpruned(Real("stroke_t2w_brain_3mm.nii.gz")).Data.Count(v => v != 0) > 10_000);
        Assert.IsTrue(always.LoadUnpruned(blob).Data.All(v => v == 0));
        var rows = always.Transform(study).GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.HasCount(4, rows);
        Assert.IsTrue(rows[0].Any(v => v != 0));
    }
}
