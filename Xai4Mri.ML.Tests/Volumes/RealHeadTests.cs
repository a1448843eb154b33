using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>
/// <see cref="HeadCheck"/> and <see cref="BrainExtractor"/> on four real scans (Fixtures/realheads, PROVENANCE.md
/// there): a T1w and a T2w head with skull, and a T1w and a T2w brain-extracted image.
/// </summary>
[TestClass]
// Extraction keeps both cores busy for seconds; run after the parallel tests, so timing-sensitive ones (the CLI's
// Ctrl+C test) do not race against it.
[DoNotParallelize]
public sealed class RealHeadTests
{
    private static Volume Load(string name) => Volume.FromImage(MriImage.Load(TestPaths.Fixture(Path.Combine("realheads", name))));

    [TestMethod]
    [DataRow("ch2_t1w_head_3mm.nii.gz", HeadCheckVerdict.NotBrainExtracted)]
    [DataRow("clinical_t2w_head_2x2x4mm.nii.gz", HeadCheckVerdict.NotBrainExtracted)]
    [DataRow("ch2bet_t1w_brain_3mm.nii.gz", HeadCheckVerdict.BrainExtracted)]
    [DataRow("stroke_t2w_brain_3mm.nii.gz", HeadCheckVerdict.BrainExtracted)]
    public void HeadCheckTellsRealHeadsFromExtractedBrains(string name, HeadCheckVerdict expected)
    {
        var result = HeadCheck.Check(Load(name));
        Assert.AreEqual(expected, result.Verdict, $"{name}: {result.Reason}");
        if (expected == HeadCheckVerdict.NotBrainExtracted)
        {
            Assert.IsGreaterThan(0.6, result.ShellFraction, result.Reason);
        }
        else
        {
            Assert.IsLessThan(0.2, result.ShellFraction, result.Reason);
        }
    }

    [TestMethod]
    public void TheRealT1HeadHasAMostlyZeroBorderThatTheOldHeuristicMissed()
    {
        var result = HeadCheck.Check(Load("ch2_t1w_head_3mm.nii.gz"));
        // The former rule called an image brain-extracted unless more than half of its border was non-zero.
        Assert.IsLessThan(0.5, result.BorderFraction, "the border heuristic would have called it brain-extracted");
        Assert.IsGreaterThan(HeadCheck.MaxBrainVolumeMl, result.ForegroundVolumeMl, "a head with neck and face holds more than any brain");
        Assert.AreEqual(HeadCheckVerdict.NotBrainExtracted, result.Verdict);
    }

    [TestMethod]
    public void ExtractionOfTheRealT1HeadFindsTheBrainNotTheHead()
    {
        var head = Load("ch2_t1w_head_3mm.nii.gz");
        var reference = Load("ch2bet_t1w_brain_3mm.nii.gz");
        float[] referenceMask = [.. reference.Data.Select(v => v != 0 ? 1f : 0f)];
        var headCheck = HeadCheck.Check(head);
        var result = BrainExtractor.Extract(head);
        // Colin 27 lies in MNI space, larger than a native head: its brain-extracted copy holds 1,737 mL at 1 mm.
        // The intracranial mask adds the CSF around the brain (at 3 mm one voxel all round: the published copy
        // dilated by one voxel holds 2,136 mL), so it is larger than the brain, but well short of the head. Before
        // the surface's leak through the orbital roof and around the brainstem was corrected it held 2,509 mL
        // (Dice 0.86; brain surface 2,072 mL, Dice 0.94); measured now 2,302 mL, brain surface 1,890 mL.
        Assert.IsTrue(result.LeakCorrected, "the surface leaks through the skull base of this head");
        Assert.IsTrue(result.BrainVolumeMl is > 1900 and < 2400, $"{result.BrainVolumeMl:F0} mL");
        Assert.IsTrue(result.BrainSurfaceVolumeMl is > 1700 and <= 2000, $"brain surface {result.BrainSurfaceVolumeMl:F0} mL");
        Assert.IsLessThan(0.65 * headCheck.ForegroundVolumeMl, result.BrainVolumeMl, $"{result.BrainVolumeMl:F0} mL of a {headCheck.ForegroundVolumeMl:F0} mL head");
        Assert.IsGreaterThan(0.5, result.InnerSkullFraction);
        Assert.IsGreaterThan(0.89, SyntheticHeads.Dice(result.Mask.Data, referenceMask), "against the published brain-extracted copy");
        var brainOnly = BrainExtractor.Extract(head, new BrainExtractorOptions { ExpandToInnerSkull = false });
        // Measured 1,890 mL and Dice 0.97 against the published copy's 1,902 mL; the mesh's enclosed volume and the
        // rasterised mask agree up to the voxels the surface cuts.
        Assert.IsTrue(brainOnly.BrainVolumeMl is > 1700 and <= 2000, $"brain surface: {brainOnly.BrainVolumeMl:F0} mL");
        Assert.AreEqual(brainOnly.BrainVolumeMl, result.BrainSurfaceVolumeMl, 0.03 * brainOnly.BrainVolumeMl, "mesh volume vs mask of the same surface");
        Assert.IsGreaterThan(0.96, SyntheticHeads.Dice(brainOnly.Mask.Data, referenceMask), "the brain surface against the published brain-extracted copy");
    }

    [TestMethod]
    public void ExtractionOfTheRealT2HeadStaysInsideTheSkull()
    {
        var head = Load("clinical_t2w_head_2x2x4mm.nii.gz");
        var result = BrainExtractor.Extract(head);
        // The field of view holds 120 mm of the head, so the mask holds less than a whole brain.
        Assert.IsTrue(result.BrainVolumeMl is > 1200 and < 2000, $"{result.BrainVolumeMl:F0} mL");
        Assert.IsLessThan(0.8 * HeadCheck.Check(head).ForegroundVolumeMl, result.BrainVolumeMl);
        Assert.IsFalse(result.LeakCorrected, "the surface stays inside this skull");
        Assert.AreEqual(0f, result.Stripped.Data.Where((_, i) => result.Mask.Data[i] == 0).Max());
    }

    [TestMethod]
    [DataRow("ch2bet_t1w_brain_3mm.nii.gz")]
    [DataRow("stroke_t2w_brain_3mm.nii.gz")]
    public void ExtractingAnExtractedBrainKeepsTheBrain(string name)
    {
        var brain = Load(name);
        float[] nonZero = [.. brain.Data.Select(v => v != 0 ? 1f : 0f)];
        var result = BrainExtractor.Extract(brain);
        Assert.IsLessThan(0.05, result.InnerSkullFraction, "no skull around an extracted brain");
        Assert.IsFalse(result.LeakCorrected, "nothing outside an extracted brain to leak into");
        Assert.IsGreaterThan(0.9, SyntheticHeads.Dice(result.Mask.Data, nonZero), $"{result.BrainVolumeMl:F0} mL");
    }
}
