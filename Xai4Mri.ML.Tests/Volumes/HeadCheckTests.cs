using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary><see cref="HeadCheck"/> on synthetic heads and brains: every site and contrast, children to old patients, noise and bias fields.</summary>
[TestClass]
// Generating the cohorts keeps both cores busy for seconds; run after the parallel tests, so timing-sensitive ones (the CLI's
// Ctrl+C test) do not race against it.
[DoNotParallelize]
public sealed class HeadCheckTests
{
    [TestMethod]
    [DataRow(3.0, 12)]
    [DataRow(2.0, 4)]
    public void HeadsAndStrippedBrainsGetTheirVerdictsAtEverySiteAndAge(double voxelSize, int subjects)
    {
        using var dir = TestPaths.Scratch();
        // Ages 4 to 90 with half the subjects patients: small young brains with a thin CSF rim and strongly atrophied ones.
        var pairs = SyntheticHeads.Generate(dir.Path, [.. SiteProfile.Predefined], voxelSize, subjects, minAge: 4, maxAge: 90, patientFraction: 0.5);
        foreach (var pair in pairs)
        {
            string what = $"{pair.Subject.Id} {pair.Subject.Site.Name} age {pair.Subject.Age} {pair.Subject.Group} at {voxelSize} mm";
            var head = HeadCheck.Check(pair.Head);
            Assert.AreEqual(HeadCheckVerdict.NotBrainExtracted, head.Verdict, $"{what} with skull: {head.Reason}");
            // T1w heads show the shell on nearly every ray; FLAIR's dim diploë and scalp on fewer, still most.
            Assert.IsGreaterThanOrEqualTo(HeadCheck.ShellFractionThreshold, head.ShellFraction, $"{what} with skull: {head.Reason}");
            var brain = HeadCheck.Check(pair.Stripped);
            Assert.AreEqual(HeadCheckVerdict.BrainExtracted, brain.Verdict, $"{what} stripped: {brain.Reason}");
            Assert.IsLessThan(0.1, brain.ShellFraction, $"{what} stripped: {brain.Reason}");
            Assert.IsTrue(brain.ForegroundVolumeMl is > 700 and < HeadCheck.MaxBrainVolumeMl, $"{what} stripped: {brain.Reason}");
        }
    }

    [TestMethod]
    public void StrongNoiseAndBiasFieldDoNotChangeTheVerdicts()
    {
        using var dir = TestPaths.Scratch();
        var harsh = SiteProfile.SiteB with { Name = "harsh", NoiseLevel = 0.08, BiasFieldStrength = 0.5, NoiseModel = SyntheticNoiseModel.Rician };
        var harshFlair = SiteProfile.SiteD with { Name = "harsh-flair", NoiseLevel = 0.08, BiasFieldStrength = 0.5 };
        foreach (var pair in SyntheticHeads.Generate(dir.Path, [harsh, harshFlair], 3.0, subjects: 4))
        {
            Assert.AreEqual(HeadCheckVerdict.NotBrainExtracted, HeadCheck.Check(pair.Head).Verdict, pair.Subject.Id);
            Assert.AreEqual(HeadCheckVerdict.BrainExtracted, HeadCheck.Check(pair.Stripped).Verdict, pair.Subject.Id);
        }
    }

    [TestMethod]
    public void AHeadWithAnExactlyZeroBorderIsStillAHead()
    {
        // The old border heuristic calls an image "not brain-extracted" only when over half its border is
        // non-zero; real heads often have an exactly-zero background. Zeroing the synthetic head's background
        // (everything below a tenth of its robust maximum) leaves the head intact and the border empty.
        using var dir = TestPaths.Scratch();
        var pair = SyntheticHeads.Generate(dir.Path, [SiteProfile.SiteA], 3.0, subjects: 1)[0];
        float cut = 0.1f * pair.Head.Data.Max();
        var zeroed = new Volume([.. pair.Head.Data.Select(v => v < cut ? 0f : v)], pair.Head.Shape, pair.Head.Affine);
        var result = HeadCheck.Check(zeroed);
        Assert.IsLessThan(0.01, result.BorderFraction, "the border must be (nearly) all zero for this test");
        Assert.AreEqual(HeadCheckVerdict.NotBrainExtracted, result.Verdict, result.Reason);
    }

    [TestMethod]
    public void ImagesWithoutAHeadGetNoHead()
    {
        var affine = Affine.FromLinearAndTranslation([4, 0, 0, 0, 4, 0, 0, 0, 4], [-64, -64, -64]);
        var empty = HeadCheck.Check(new Volume(new float[32 * 32 * 32], [32, 32, 32], affine));
        Assert.AreEqual(HeadCheckVerdict.NoHead, empty.Verdict);
        StringAssert.Contains(empty.Reason, "no intensity range");
        Assert.IsFalse(empty.NotBrainExtracted);

        // A 40 mm bright cube: 64 mL, less than any brain.
        var data = new float[32 * 32 * 32];
        var cube = new Volume(data, [32, 32, 32], affine);
        for (int i = 11; i < 21; i++)
        {
            for (int j = 11; j < 21; j++)
            {
                for (int k = 11; k < 21; k++)
                {
                    data[cube.Index(i, j, k)] = 500;
                }
            }
        }
        var blob = HeadCheck.Check(cube);
        Assert.AreEqual(HeadCheckVerdict.NoHead, blob.Verdict);
        Assert.AreEqual(64.0, blob.ForegroundVolumeMl, 1e-9);
        StringAssert.Contains(blob.Reason, "less than the 250 mL of the smallest brain");

        var flat = HeadCheck.Check(new Volume(new float[2 * 8 * 8], [2, 8, 8], Affine.Identity));
        Assert.AreEqual(HeadCheckVerdict.NoHead, flat.Verdict);
        Assert.ThrowsExactly<ArgumentNullException>(() => HeadCheck.Check(null!));
    }
}
