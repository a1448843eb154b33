using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>
/// <see cref="BrainExtractor"/> against the synthetic generator's true intracranial mask with skull and scalp kept:
/// every site (T1w and FLAIR, float32 and scaled int16, five orientations) at 3 mm, three at 2 mm, one at 1 mm, and
/// anisotropic voxels (bench/ brain-extraction-dice runs all sites at 1, 1.5, 2 and 3 mm).
/// </summary>
[TestClass]
// Extraction keeps both cores busy for seconds; run after the parallel tests, so timing-sensitive ones (the CLI's
// Ctrl+C test) do not race against it.
[DoNotParallelize]
public sealed class BrainExtractorTests
{
    private const double RequiredDice = 0.95;

    [TestMethod]
    [DataRow(3.0, "site-a,site-b,site-c")]
    [DataRow(3.0, "site-d,site-e,site-f")]
    [DataRow(2.0, "site-d,site-e,site-f")]
    public void DiceAgainstTheTrueMaskIsAtLeast095AtEverySite(double voxelSize, string siteNames)
    {
        using var dir = TestPaths.Scratch();
        SiteProfile[] sites = [.. siteNames.Split(',').Select(n => SiteProfile.FindPredefined(n)!)];
        foreach (var pair in SyntheticHeads.Generate(dir.Path, sites, voxelSize, subjects: sites.Length))
        {
            var result = BrainExtractor.Extract(pair.Head);
            double dice = SyntheticHeads.Dice(result.Mask.Data, pair.TruthMask());
            string what = $"{pair.Subject.Id} {pair.Subject.Site.Name} ({pair.Subject.Site.Contrast}, {pair.Subject.Site.Orientation}, {pair.Subject.Site.DataType.NumpyName()}) at {voxelSize} mm";
            Assert.IsGreaterThanOrEqualTo(RequiredDice, dice, $"{what}: Dice {dice:F4}");
            Assert.IsGreaterThan(0.5, result.InnerSkullFraction, $"{what}: the skull was found at only {result.InnerSkullFraction:P0} of the surface");
            // The generator's skull is closed: nothing for the surface to leak through.
            Assert.IsFalse(result.LeakCorrected, $"{what}: a leak was corrected on a closed skull");
            Assert.IsTrue(result.BrainSurfaceVolumeMl > 0.7 * result.BrainVolumeMl && result.BrainSurfaceVolumeMl < result.BrainVolumeMl,
                $"{what}: brain surface {result.BrainSurfaceVolumeMl:F0} mL, intracranial mask {result.BrainVolumeMl:F0} mL");
        }
    }

    [TestMethod]
    public void DiceAgainstTheTrueMaskIsAtLeast095At1Mm()
    {
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteE], 1.0, subjects: 1)[0];
        var result = BrainExtractor.Extract(pair.Head);
        double dice = SyntheticHeads.Dice(result.Mask.Data, pair.TruthMask());
        Assert.IsGreaterThanOrEqualTo(RequiredDice, dice, $"1 mm: Dice {dice:F4}");
        Assert.IsFalse(result.LeakCorrected, "a leak was corrected on a closed skull");
    }

    [TestMethod]
    public void AnisotropicVoxelsKeepTheDice()
    {
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteC], 2.0, subjects: 1)[0];
        double[] voxel = [1.5, 3.0, 2.5];
        var head = Resampling.ToVoxelSize(pair.Head, voxel);
        var truthGrid = Resampling.ToVoxelSize(new Volume(pair.TruthMask(), pair.Stripped.Shape, pair.Stripped.Affine), voxel);
        float[] truth = [.. truthGrid.Data.Select(v => v >= 0.5f ? 1f : 0f)];
        var result = BrainExtractor.Extract(head);
        CollectionAssert.AreEqual(voxel, head.VoxelSize.Select(v => Math.Round(v, 6)).ToArray());
        double dice = SyntheticHeads.Dice(result.Mask.Data, truth);
        Assert.IsGreaterThanOrEqualTo(RequiredDice, dice, $"{head.AxisCodes} 1.5x3x2.5 mm: Dice {dice:F4}");
    }

    [TestMethod]
    public void ResultHoldsMaskStrippedImageAndDiagnosticsOnTheInputGrid()
    {
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteB], 3.0, subjects: 1)[0];
        float[] before = (float[])pair.Head.Data.Clone();
        var result = BrainExtractor.Extract(pair.Head);

        CollectionAssert.AreEqual(before, pair.Head.Data, "the input was modified");
        CollectionAssert.AreEqual(pair.Head.Shape, result.Mask.Shape);
        CollectionAssert.AreEqual(pair.Head.Shape, result.Stripped.Shape);
        Assert.AreEqual(pair.Head.Affine, result.Mask.Affine);
        Assert.AreEqual(pair.Head.Affine, result.Stripped.Affine);
        long inside = 0;
        for (int i = 0; i < before.Length; i++)
        {
            float m = result.Mask.Data[i];
            Assert.IsTrue(m is 0 or 1, $"mask value {m} at {i}");
            Assert.AreEqual(m == 1 ? before[i] : 0f, result.Stripped.Data[i], $"stripped voxel {i}");
            inside += (long)m;
        }
        Assert.AreEqual(inside * 27 / 1000.0, result.BrainVolumeMl, 1e-9, "volume = voxels x 27 mm^3");
        Assert.IsTrue(result.BrainVolumeMl is > 900 and < 2100, $"brain volume {result.BrainVolumeMl:F0} mL");
        // The centre of gravity of the head (skull and scalp included) lies near the centre of the intracranial volume.
        var (x, y, z) = result.CentreOfGravity;
        var c = pair.Subject.BrainCentre;
        Assert.IsLessThan(6.0, Math.Sqrt(((x - c.X) * (x - c.X)) + ((y - c.Y) * (y - c.Y)) + ((z - c.Z) * (z - c.Z))),
            $"centre of gravity ({x:F1}, {y:F1}, {z:F1}) vs brain centre {c}");
        Assert.IsTrue(result.Iterations is >= 200 and <= 1000, $"{result.Iterations} iterations");
        Assert.IsFalse(result.Retried);
        Assert.IsFalse(result.SelfIntersecting);
        Assert.IsTrue(result.LowPercentile < result.Threshold && result.Threshold < result.HighPercentile);
        Assert.AreEqual(result.LowPercentile + (0.1 * (result.HighPercentile - result.LowPercentile)), result.Threshold, 1e-9);
    }

    [TestMethod]
    public void SameInputGivesTheSameMaskWhateverTheThreads()
    {
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteD], 3.0, subjects: 1)[0];
        var serial = BrainExtractor.Extract(pair.Head, new BrainExtractorOptions { MaxDegreeOfParallelism = 1 });
        var parallel = BrainExtractor.Extract(pair.Head);
        CollectionAssert.AreEqual(serial.Mask.Data, parallel.Mask.Data);
        Assert.AreEqual(serial.Iterations, parallel.Iterations);
        Assert.AreEqual(serial.BrainVolumeMl, parallel.BrainVolumeMl);
    }

    [TestMethod]
    public void BrainSurfaceAloneStaysInsideTheIntracranialMask()
    {
        using var dir = TestPaths.Scratch();
        // An old patient: a wide CSF gap between brain and skull.
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteA], 3.0, subjects: 1, minAge: 78, maxAge: 80, patientFraction: 1)[0];
        float[] truth = pair.TruthMask();
        var full = BrainExtractor.Extract(pair.Head);
        var brain = BrainExtractor.Extract(pair.Head, new BrainExtractorOptions { ExpandToInnerSkull = false });
        Assert.AreEqual(0, brain.InnerSkullFraction);
        Assert.IsLessThan(full.BrainVolumeMl * 0.95, brain.BrainVolumeMl, $"brain {brain.BrainVolumeMl:F0} mL vs intracranial {full.BrainVolumeMl:F0} mL");
        long inside = 0, total = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (brain.Mask.Data[i] != 0)
            {
                total++;
                inside += truth[i] != 0 ? 1 : 0;
            }
        }
        Assert.IsGreaterThan(0.98, (double)inside / total, "the brain surface must lie within the intracranial volume");
        Assert.IsGreaterThanOrEqualTo(RequiredDice, SyntheticHeads.Dice(full.Mask.Data, truth));
    }

    [TestMethod]
    public void AllBackgroundOrConstantImagesAreRefusedWithTheReason()
    {
        var affine = Affine.FromLinearAndTranslation([4, 0, 0, 0, 4, 0, 0, 0, 4], [-64, -64, -64]);
        foreach (float value in new[] { 0f, 250f })
        {
            var volume = new Volume(Enumerable.Repeat(value, 32 * 32 * 32).ToArray(), [32, 32, 32], affine);
            var e = Assert.ThrowsExactly<ArgumentException>(() => BrainExtractor.Extract(volume));
            StringAssert.Contains(e.Message, "no intensity range");
            Assert.AreEqual("volume", e.ParamName);
        }
    }

    [TestMethod]
    public void ASmallBrightBlobIsRefusedAsTooSmallForABrain()
    {
        var volume = Sphere(48, 2, radius: 25, inside: _ => 1000, hollow: 0);
        var e = Assert.ThrowsExactly<ArgumentException>(() => BrainExtractor.Extract(volume));
        StringAssert.Contains(e.Message, "less than the 250 mL of the smallest brain");
    }

    [TestMethod]
    public void ALargeUniformBlobIsRefusedForWantOfTissueContrast()
    {
        var rng = new Random(3);
        var volume = Sphere(48, 3, radius: 60, inside: _ => 1000 + (float)(20 * rng.NextDouble()), hollow: 0);
        var e = Assert.ThrowsExactly<ArgumentException>(() => BrainExtractor.Extract(volume));
        StringAssert.Contains(e.Message, "no tissue contrast");
    }

    [TestMethod]
    public void AHollowShellWhoseSurfaceCollapsesGivesAnEmptyMaskError()
    {
        // A thick bright shell around a dark core: the starting sphere lies in the core and shrinks to nothing.
        var volume = Sphere(48, 3, radius: 66, inside: _ => 1000, hollow: 52);
        var e = Assert.ThrowsExactly<ArgumentException>(() => BrainExtractor.Extract(volume));
        StringAssert.Contains(e.Message, "mask");
        StringAssert.Contains(e.Message, "no brain-like object");
    }

    [TestMethod]
    public void TooSmallGridsAndBadOptionsAreRefused()
    {
        var flat = new Volume(new float[2 * 40 * 40], [2, 40, 40], Affine.Identity);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => BrainExtractor.Extract(flat)).Message, "too small");
        var volume = Sphere(16, 4, radius: 20, inside: _ => 1, hollow: 0);
        Assert.AreEqual("FractionalThreshold", Assert.ThrowsExactly<ArgumentException>(
            () => BrainExtractor.Extract(volume, new BrainExtractorOptions { FractionalThreshold = 1.5 })).ParamName);
        Assert.AreEqual("Iterations", Assert.ThrowsExactly<ArgumentException>(
            () => BrainExtractor.Extract(volume, new BrainExtractorOptions { Iterations = 0 })).ParamName);
        Assert.AreEqual("MaxDegreeOfParallelism", Assert.ThrowsExactly<ArgumentException>(
            () => BrainExtractor.Extract(volume, new BrainExtractorOptions { MaxDegreeOfParallelism = 0 })).ParamName);
        Assert.ThrowsExactly<ArgumentNullException>(() => BrainExtractor.Extract(null!));
    }

    [TestMethod]
    public void NonFiniteVoxelsAreReadAsBackgroundAndKeptInTheInput()
    {
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteF], 3.0, subjects: 1)[0];
        float[] data = (float[])pair.Head.Data.Clone();
        data[0] = float.NaN;
        data[data.Length / 2] = float.PositiveInfinity;
        var volume = new Volume(data, pair.Head.Shape, pair.Head.Affine);
        var result = BrainExtractor.Extract(volume);
        Assert.IsTrue(float.IsNaN(volume.Data[0]), "the input must not be modified");
        Assert.IsGreaterThanOrEqualTo(RequiredDice, SyntheticHeads.Dice(result.Mask.Data, pair.TruthMask()));
    }

    /// <summary>A ball (or a shell when <paramref name="hollow"/> &gt; 0) in an n³ grid of <paramref name="voxel"/> mm, centred on the world origin.</summary>
    private static Volume Sphere(int n, double voxel, double radius, Func<int, float> inside, double hollow)
    {
        double h = (n - 1) * voxel / 2;
        var affine = Affine.FromLinearAndTranslation([voxel, 0, 0, 0, voxel, 0, 0, 0, voxel], [-h, -h, -h]);
        var data = new float[n * n * n];
        var volume = new Volume(data, [n, n, n], affine);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++)
                {
                    var (x, y, z) = affine.Apply(i, j, k);
                    double r = Math.Sqrt((x * x) + (y * y) + (z * z));
                    int o = volume.Index(i, j, k);
                    data[o] = r <= radius && r >= hollow ? inside(o) : 0;
                }
            }
        }
        return volume;
    }
}
