using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary><see cref="DatasetDiagnostics"/> on crafted tables and images whose findings are known by construction.</summary>
[TestClass]
public sealed class DatasetDiagnosticsTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }

        public string Group { get; set; } = "";

        public bool Patient { get; set; }
    }

    // One worker: the tests share a busy machine, and results must not depend on the degree of parallelism.
    private static DatasetDiagnosticsOptions Options() => new() { MaxDegreeOfParallelism = 1 };

    private static DatasetReport Compute(IEnumerable<Row> rows, string label = "Age", DatasetDiagnosticsOptions? options = null)
    {
        var ml = new MLContext(seed: 1);
        return DatasetDiagnostics.Compute(ml, ml.Data.LoadFromEnumerable(rows.ToList()), label, options: options ?? Options());
    }

    [TestMethod]
    public void RegressionStatisticsMatchAHandComputation()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0);
        float[] ages = [10, 12, 14, 16, 18, 50, float.NaN];
        var rows = ages.Select((a, i) => new Row { participant_id = $"sub-{i + 1:00}", Path = path, Age = a });

        var report = Compute(rows);

        // By hand: mean 120/6 = 20; Σd² = 1120, sd = √(1120/5); m2 = 1120/6, m3 = 25200/6, G1 = √30/4 · m3/m2^1.5;
        // quartiles (linear) 12.5 and 17.5, IQR 5, fences 5 and 25: only 50 lies outside.
        var r = report.Regression!;
        Assert.IsNull(report.Classes);
        Assert.AreEqual(7, report.RowCount);
        Assert.AreEqual(6, r.Count);
        Assert.AreEqual(1, r.MissingCount);
        Assert.AreEqual(20, r.Mean, 1e-12);
        Assert.AreEqual(Math.Sqrt(224), r.StandardDeviation, 1e-12);
        Assert.AreEqual(10, r.Min);
        Assert.AreEqual(50, r.Max);
        Assert.AreEqual(15, r.Median, 1e-12);
        Assert.AreEqual(Math.Sqrt(30) / 4 * (4200 / Math.Pow(1120.0 / 6, 1.5)), r.Skewness, 1e-12);
        Assert.AreEqual(2.2550167286360807, r.Skewness, 1e-12, "pandas' Series.skew() of the same values");
        Assert.AreEqual(5, r.LowerFence, 1e-12);
        Assert.AreEqual(25, r.UpperFence, 1e-12);
        Assert.HasCount(1, r.Outliers);
        Assert.AreEqual(new LabelOutlier("sub-06", 50), r.Outliers[0]);
        CollectionAssert.Contains(report.Warnings.ToList(), "1 Age value lies outside the Tukey fences [5, 25]: sub-06 (50)");
        CollectionAssert.Contains(report.Warnings.ToList(), "1 of 7 rows have no Age (NaN): sub-07");

        string md = report.ToMarkdown();
        StringAssert.Contains(md, "## Dataset diagnostics");
        StringAssert.Contains(md, "N = 7");
        StringAssert.Contains(md, "| 6 | 1 | 20 | 14.967 | 10 | 15 | 50 | 2.255 | 1 |");
        StringAssert.Contains(md, "- 1 Age value lies outside the Tukey fences [5, 25]: sub-06 (50)");
        StringAssert.Contains(report.ToMarkdown(3), "### Dataset diagnostics\n");
    }

    [TestMethod]
    public void ImbalancedClassesAreDetectedWithTheRatioAndTheSmallestClass()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0);
        var rows = Enumerable.Range(0, 15).Select(i => new Row { participant_id = $"sub-{i:00}", Path = path, Group = i % 5 == 4 ? "patient" : "control", Patient = i % 5 == 4 }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(data).Transform(data);

        var fromKey = DatasetDiagnostics.Compute(ml, keyed, "Label", options: Options()).Classes!;
        var fromText = Compute(rows, "Group").Classes!;

        foreach (var c in new[] { fromKey, fromText })
        {
            Assert.AreEqual(15, c.Count);
            Assert.AreEqual(0, c.MissingCount);
            CollectionAssert.AreEqual(new[] { new ValueCount("control", 12), new ValueCount("patient", 3) }, c.Classes.ToArray());
            Assert.AreEqual(4.0, c.ImbalanceRatio);
            Assert.AreEqual("patient", c.SmallestClass);
            Assert.AreEqual(3, c.SmallestClassCount);
            Assert.IsTrue(c.IsImbalanced);
        }
        var fromBoolean = Compute(rows, "Patient").Classes!;
        CollectionAssert.AreEqual(new[] { new ValueCount("False", 12), new ValueCount("True", 3) }, fromBoolean.Classes.ToArray());
        Assert.AreEqual("True", fromBoolean.SmallestClass);
        var warnings = Compute(rows, "Group").Warnings;
        CollectionAssert.Contains(warnings.ToList(), "Group is imbalanced: largest class 'control' has 12 rows, smallest 'patient' 3 (ratio 4, warned from 3)");
        CollectionAssert.Contains(warnings.ToList(), "smallest Group class 'patient' has 3 rows (fewer than 10); its metrics will be noisy");
        StringAssert.Contains(Compute(rows, "Group").ToMarkdown(), "| patient | 3 |");

        // 10 against 10 is neither imbalanced nor small.
        var balanced = Enumerable.Range(0, 20).Select(i => new Row { participant_id = $"sub-{i:00}", Path = path, Group = i % 2 == 0 ? "a" : "b" });
        var report = Compute(balanced, "Group");
        Assert.AreEqual(1.0, report.Classes!.ImbalanceRatio);
        Assert.IsFalse(report.Classes.IsImbalanced);
        Assert.IsFalse(report.Warnings.Any(w => w.Contains("Group")), string.Join("; ", report.Warnings));
    }

    private sealed class FieldRow
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }

        public float MagneticFieldStrength { get; set; }
    }

    [TestMethod]
    public void MixedFieldStrengthsFromTheSidecarColumnAreCountedAndWarned()
    {
        using var dir = TestPaths.Scratch();
        string path = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0);
        // Three at 3 T, two at 1.5 T, one without a value (NaN, as BIDS "n/a" loads) and one impossible 0: not counted.
        float[] tesla = [3, 1.5f, 3, float.NaN, 3, 1.5f, 0];
        var rows = tesla.Select((t, i) => new FieldRow { participant_id = $"sub-{i + 1}", Path = path, Age = 20 + i, MagneticFieldStrength = t }).ToList();
        var ml = new MLContext(seed: 1);

        var report = DatasetDiagnostics.Compute(ml, ml.Data.LoadFromEnumerable(rows), "Age", options: Options());

        var counts = report.Images.FieldStrengths.Select(v => $"{v.Value}: {v.Count}").ToArray();
        CollectionAssert.AreEqual(new[] { "3 T: 3", "1.5 T: 2" }, counts);
        Assert.IsTrue(report.Warnings.Any(w => w.StartsWith("mixed field strengths (3 T: 3, 1.5 T: 2)", StringComparison.Ordinal)), string.Join("\n", report.Warnings));
        StringAssert.Contains(report.ToMarkdown(), "| field strengths | 3 T (3), 1.5 T (2) |");

        var single = DatasetDiagnostics.Compute(ml, ml.Data.LoadFromEnumerable(rows.Take(1)), "Age", options: Options());
        Assert.IsFalse(single.Warnings.Any(w => w.Contains("field strength", StringComparison.Ordinal)), "one field strength: no warning");
        var none = Compute([new Row { participant_id = "sub-1", Path = path, Age = 30 }]);
        Assert.IsEmpty(none.Images.FieldStrengths, "no column: nothing reported");
        Assert.DoesNotContain("field strengths", none.ToMarkdown());
    }

    [TestMethod]
    public void MixedOrientationsVoxelSizesAndShapesAreReportedWithCounts()
    {
        using var dir = TestPaths.Scratch();
        var rows = new[]
        {
            new Row { participant_id = "sub-1", Path = TinyPhantoms.Write(dir.File("1.nii.gz"), 1.0, "RAS", seed: 1) },
            new Row { participant_id = "sub-2", Path = TinyPhantoms.Write(dir.File("2.nii.gz"), 0.9, "RAS", seed: 2) },
            new Row { participant_id = "sub-3", Path = TinyPhantoms.Write(dir.File("3.nii.gz"), 1.0, "LIA", seed: 3) },
            new Row { participant_id = "sub-4", Path = TinyPhantoms.Write(dir.File("4.nii.gz"), 1.0, "RAS", voxel: 3, seed: 4) },
        };

        var images = Compute(rows).Images;

        CollectionAssert.AreEqual(new[] { new ValueCount("RAS", 3), new ValueCount("LIA", 1) }, images.Orientations.ToArray());
        CollectionAssert.AreEqual(new[] { new ValueCount("4×4×4", 3), new ValueCount("3×3×3", 1) }, images.VoxelSizes.ToArray());
        // LIA stores RAS's x, z, y axes: 24×24×28; 3 mm gives 32×37×32.
        CollectionAssert.AreEqual(new[] { new ValueCount("24×28×24", 2), new ValueCount("24×24×28", 1), new ValueCount("32×37×32", 1) }, images.Shapes.ToArray());
        CollectionAssert.AreEqual(new[] { new ValueCount("Float32", 4) }, images.DataTypes.ToArray());
        Assert.IsTrue(images.MixedOrientations);
        Assert.IsTrue(images.MixedVoxelSizes);
        Assert.IsTrue(images.MixedShapes);
        Assert.AreEqual("LIA", images.Images[2].AxisCodes);
        CollectionAssert.AreEqual(new[] { 3.0, 3.0, 3.0 }, images.Images[3].VoxelSize.Select(v => Math.Round(v, 9)).ToArray());
        var warnings = Compute(rows).Warnings.ToList();
        CollectionAssert.Contains(warnings, "mixed orientations (RAS: 3, LIA: 1); the loader reorients them all to LIA");
        CollectionAssert.Contains(warnings, "mixed voxel sizes (4×4×4 mm: 3, 3×3×3 mm: 1); set the loader's VoxelSize to resample them to one size");
        Assert.IsFalse(Compute(rows.Take(2)).Images.MixedOrientations);
    }

    [TestMethod]
    public void NonZeroBackgroundIsSummarisedBySubject()
    {
        using var dir = TestPaths.Scratch();
        string clean = TinyPhantoms.Write(dir.File("clean.nii.gz"), 1.0);
        var volume = Volume.FromImage(MriImage.Load(clean));
        int brainVoxels = volume.Data.Count(v => v != 0);
        var rng = new Random(7);
        for (int i = 0; i < volume.Data.Length; i++)
        {
            if (volume.Data[i] == 0)
            {
                // Scanner noise outside the head: what a skull-stripped image would not have.
                volume.Data[i] = 1 + (float)rng.NextDouble();
            }
        }
        string noisy = dir.File("noisy.nii.gz");
        volume.Save(noisy);
        var rows = new[] { new Row { participant_id = "sub-clean", Path = clean }, new Row { participant_id = "sub-noisy", Path = noisy } };

        var report = Compute(rows);

        var (c, n) = (report.Images.Images[0], report.Images.Images[1]);
        Assert.AreEqual(0, c.BorderNonZeroFraction);
        Assert.AreEqual(1 - (brainVoxels / (24.0 * 28 * 24)), c.BackgroundFraction, 1e-12);
        Assert.AreEqual(brainVoxels, c.Intensity.NonZeroCount);
        Assert.AreEqual(1, n.BorderNonZeroFraction);
        Assert.AreEqual(0, n.BackgroundFraction);
        // A non-zero border alone does not make a head (the former rule's mistake): the 96 mm phantom is smaller than
        // any brain, noisy or not, and real heads are told apart by RealDataDiagnosticsTests.
        Assert.AreEqual(HeadCheckVerdict.NoHead, c.HeadCheck.Verdict, c.HeadCheck.Reason);
        Assert.AreEqual(HeadCheckVerdict.NoHead, n.HeadCheck.Verdict, n.HeadCheck.Reason);
        Assert.IsTrue(n.LooksBrainExtracted);
        Assert.IsEmpty(report.Images.NotBrainExtracted);
        CollectionAssert.AreEqual(new[] { "sub-clean", "sub-noisy" }, report.Images.NoHead.ToArray());
        // The brain of the clean phantom: ventricle 20, tissue 100–110.
        Assert.AreEqual(20, c.Intensity.Min);
        Assert.IsTrue(c.Intensity.Max is > 100 and < 110, $"{c.Intensity.Max}");
        Assert.AreEqual(1, n.Intensity.Min, 0.01, "the noise is the smallest non-zero value");
        Assert.AreEqual(c.Intensity.Max, n.Intensity.Max);
        var pooled = report.Images.PooledIntensity;
        Assert.AreEqual(n.Intensity.Min, pooled.Min, "pooled minimum is the smaller of the two");
        Assert.AreEqual(c.Intensity.NonZeroCount + n.Intensity.NonZeroCount, pooled.NonZeroCount);
        Assert.AreEqual(((c.Intensity.Mean * c.Intensity.NonZeroCount) + (n.Intensity.Mean * n.Intensity.NonZeroCount)) / pooled.NonZeroCount, pooled.Mean, 1e-9);
        Assert.AreEqual((c.Intensity.Percentile99 + n.Intensity.Percentile99) / 2, pooled.Percentile99, 1e-9);
        StringAssert.Contains(report.ToMarkdown(), "| sub-noisy | 24×28×24 | 4×4×4 | RAS | 0.0 % | no head |");
    }

    [TestMethod]
    public void NanVoxelsAreCounted()
    {
        using var dir = TestPaths.Scratch();
        var rows = new[]
        {
            new Row { participant_id = "sub-ok", Path = TinyPhantoms.Write(dir.File("ok.nii.gz"), 1.0, seed: 1) },
            new Row { participant_id = "sub-nan", Path = TinyPhantoms.Write(dir.File("nan.nii.gz"), 1.0, seed: 2, nan: true) },
        };

        var report = Compute(rows);

        Assert.AreEqual(0, report.Images.Images[0].NonFiniteCount);
        Assert.AreEqual(1, report.Images.Images[1].NonFiniteCount);
        Assert.IsFalse(double.IsNaN(report.Images.Images[1].Intensity.Mean), "statistics skip the NaN voxel");
        CollectionAssert.AreEqual(new[] { "sub-nan" }, report.Images.WithNonFiniteVoxels.ToArray());
        CollectionAssert.Contains(report.Warnings.ToList(), "NaN/Inf voxels (the loader sets them to 0) in 1 image: sub-nan (1 voxel)");
    }

    [TestMethod]
    public void DuplicatesAreFoundAcrossFormatsAndOrientationsAndDistinctImagesAreNotGrouped()
    {
        using var dir = TestPaths.Scratch();
        var rows = new[]
        {
            new Row { participant_id = "sub-a", Path = TinyPhantoms.Write(dir.File("a.nii"), 1.0, seed: 1) },
            new Row { participant_id = "sub-b", Path = TinyPhantoms.Write(dir.File("b.nii.gz"), 1.0, seed: 2) },
            new Row { participant_id = "sub-a-gz", Path = TinyPhantoms.Write(dir.File("a2.nii.gz"), 1.0, seed: 1) },
            new Row { participant_id = "sub-a-lia", Path = TinyPhantoms.Write(dir.File("a3.nii.gz"), 1.0, "LIA", seed: 1) },
            new Row { participant_id = "sub-c", Path = TinyPhantoms.Write(dir.File("c.nii.gz"), 0.9, seed: 1) },
        };

        var report = Compute(rows);

        Assert.HasCount(1, report.Images.DuplicateGroups);
        CollectionAssert.AreEqual(new[] { "sub-a", "sub-a-gz", "sub-a-lia" }, report.Images.DuplicateGroups[0].ToArray());
        Assert.AreEqual(report.Images.Images[0].ContentHash, report.Images.Images[2].ContentHash);
        Assert.AreNotEqual(report.Images.Images[0].ContentHash, report.Images.Images[1].ContentHash, "other noise");
        Assert.AreNotEqual(report.Images.Images[0].ContentHash, report.Images.Images[4].ContentHash, "other brain size");
        Assert.AreEqual(64, report.Images.Images[0].ContentHash.Length);
        CollectionAssert.Contains(report.Warnings.ToList(), "1 group of images with identical voxels (the same scan more than once, a leak between training and test): sub-a = sub-a-gz = sub-a-lia");
    }

    [TestMethod]
    public void BrainLargerThanTheModelBoxWouldBeCut()
    {
        using var dir = TestPaths.Scratch();
        var rows = new[]
        {
            new Row { participant_id = "sub-big", Path = TinyPhantoms.Write(dir.File("big.nii.gz"), 1.0, "RAS") },
            new Row { participant_id = "sub-small", Path = TinyPhantoms.Write(dir.File("small.nii.gz"), 0.5, "PSR") },
        };
        var options = Options();
        options.ModelInputShape = [16, 16, 16];
        options.ModelVoxelSize = [4];

        var report = Compute(rows, options: options);

        // Voxel centres sit at ±2, ±6, … mm; the ellipsoid's radii are 30, 40, 30 mm (×0.5 for the small one), so the
        // brain spans 14, 20, 14 voxels (7, 10, 7) along x, y, z — in LIA order x, z, y.
        var (big, small) = (report.Images.Images[0], report.Images.Images[1]);
        CollectionAssert.AreEqual(new[] { 14, 14, 20 }, big.BrainExtentVoxels.ToArray());
        CollectionAssert.AreEqual(new[] { 56.0, 56.0, 80.0 }, big.BrainExtentMm.Select(v => Math.Round(v, 9)).ToArray());
        CollectionAssert.AreEqual(new[] { 32.0, 32.0, 40.0 }, small.BrainExtentMm.Select(v => Math.Round(v, 9)).ToArray());
        Assert.IsTrue(big.WouldCutBrain, "80 mm front to back against a 64 mm box");
        Assert.IsFalse(small.WouldCutBrain);
        Assert.AreEqual(1, report.Images.WouldCutBrainCount);
        CollectionAssert.AreEqual(new[] { 64.0, 64.0, 64.0 }, report.Images.ModelBoxMm.ToArray());
        CollectionAssert.Contains(report.Warnings.ToList(), "1 of 2 brains are larger than the model's input box (16×16×16 voxels, 64×64×64 mm in LIA) and would be cut by pruning: sub-big (56×56×80 mm)");
        StringAssert.Contains(report.ToMarkdown(), "| brain cut by the model box (64×64×64 mm) | 1 |");

        // xai4mri's default box (156×166×204 mm) holds both.
        Assert.AreEqual(0, Compute(rows).Images.WouldCutBrainCount);
    }

    [TestMethod]
    public void ErrorsNameTheColumnOrTheSubjectAndFile()
    {
        using var dir = TestPaths.Scratch();
        string good = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0);
        string missing = dir.File("missing.nii.gz");
        var rows = new[] { new Row { participant_id = "sub-ok", Path = good, Age = 1 }, new Row { participant_id = "sub-gone", Path = missing, Age = 2 } };
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);

        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetDiagnostics.Compute(ml, data, "Sex"));
        StringAssert.Contains(label.Message, "label column 'Sex' not found");
        var path = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetDiagnostics.Compute(ml, data, "Age", "File"));
        StringAssert.Contains(path.Message, "path column 'File' not found");
        var notText = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetDiagnostics.Compute(ml, data, "Age", "Age"));
        StringAssert.Contains(notText.Message, "path column 'Age' must hold text");
        var subject = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetDiagnostics.Compute(ml, data, "Age", options: new() { SubjectColumnName = "sid" }));
        StringAssert.Contains(subject.Message, "subject column 'sid' not found or not text");
        var file = Assert.ThrowsExactly<ImageFormatException>(() => DatasetDiagnostics.Compute(ml, data, "Age", options: Options()));
        Assert.AreEqual(missing, file.FilePath);
        StringAssert.StartsWith(file.Problem, "subject sub-gone: ");
        var empty = ml.Data.LoadFromEnumerable(new[] { new Row { participant_id = "sub-blank", Path = "", Age = 1 } });
        var blank = Assert.ThrowsExactly<ImageFormatException>(() => DatasetDiagnostics.Compute(ml, empty, "Age", options: Options()));
        Assert.AreEqual("subject sub-blank: no file named in the path column", blank.Problem);
    }
}
