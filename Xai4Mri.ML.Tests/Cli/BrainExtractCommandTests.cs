using System.Globalization;
using System.Text.RegularExpressions;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri brain-extract</c> on a real head: the files read back on the input's grid, zero outside the mask; bad input fails cleanly.</summary>
[TestClass]
[DoNotParallelize]
public sealed class BrainExtractCommandTests
{
    [TestMethod]
    public void WritesTheBrainAndItsMaskOnTheInputsGrid()
    {
        using var dir = TestPaths.Scratch();
        string input = TestPaths.Fixture(Path.Combine("realheads", "clinical_t2w_head_2x2x4mm.nii.gz"));
        string output = dir.File("brain.nii.gz"), mask = dir.File("mask.nii.gz");

        var (code, stdout, stderr) = CliRunner.Run("brain-extract", input, output, "--mask", mask);

        Assert.AreEqual(0, code, stderr);
        StringAssert.StartsWith(stdout, $"{output}: mask ");
        StringAssert.Contains(stdout, "the input was a head (not brain-extracted)");
        var source = MriImage.Load(input);
        var brain = MriImage.Load(output);
        var maskImage = MriImage.Load(mask);
        foreach (var written in new[] { brain, maskImage })
        {
            CollectionAssert.AreEqual(source.Shape, written.Shape);
            Assert.IsTrue(source.Affine.ApproximatelyEquals(written.Affine, 1e-5), written.Affine.ToString());
        }
        float[] b = brain.GetFloatData(), m = maskImage.GetFloatData(), s = source.GetFloatData();
        long inside = 0;
        for (int i = 0; i < b.Length; i++)
        {
            Assert.IsTrue(m[i] is 0 or 1, $"mask voxel {i} is {m[i]}");
            Assert.AreEqual(m[i] == 0 ? 0f : s[i], b[i], $"voxel {i}");
            inside += (long)m[i];
        }
        // 2 × 2 × 4 mm voxels; the 120 mm field of view holds most, not all, of the brain.
        double ml = inside * 16 / 1000.0;
        Assert.IsTrue(ml is > 1200 and < 2000, $"{ml:F0} mL");
        StringAssert.Contains(stdout, $"mask {ml:F0} mL, brain surface ");
        // The brain surface lies inside the intracranial mask, by the CSF around the brain (measured 1,672 of 1,830 mL).
        double surface = double.Parse(Regex.Match(stdout, @"brain surface (\d+) mL").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsTrue(surface > 0.8 * ml && surface < ml, $"brain surface {surface} mL, mask {ml:F0} mL");
    }

    [TestMethod]
    public void AnImageWithoutAHeadIsAnInputErrorAndWritesNothing()
    {
        using var dir = TestPaths.Scratch();
        string empty = dir.File("empty.nii.gz"), blob = dir.File("blob.nii.gz"), small = dir.File("small.nii.gz");
        BadImages.Write(empty, blob, small);
        string output = dir.File("out.nii.gz");

        var (code, _, stderr) = CliRunner.Run("brain-extract", blob, output);

        Assert.AreEqual(1, code);
        StringAssert.StartsWith(stderr, $"xai4mri brain-extract: {blob}: no brain could be extracted: the object found has no tissue contrast");
        Assert.IsFalse(File.Exists(output));
        var (missing, _, missingErr) = CliRunner.Run("brain-extract", dir.File("none.nii.gz"), output);
        Assert.AreEqual(1, missing, missingErr);
        var (usage, _, usageErr) = CliRunner.Run("brain-extract", blob);
        Assert.AreEqual(2, usage, usageErr);
    }

    [TestMethod]
    public void BrainExtractionIsAnOptionOfAnalyzeTrainAndPrepare()
    {
        foreach (string command in new[] { "analyze", "train", "prepare" })
        {
            var (code, stdout, stderr) = CliRunner.Run(command, "--help");
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "--brain-extraction <none|auto|always>", command);
        }
        var (bad, _, badErr) = CliRunner.Run("prepare", "--data", "x.tsv", "--cache", "c", "--brain-extraction", "sometimes");
        Assert.AreEqual(2, bad);
        StringAssert.Contains(badErr, "sometimes");
    }
}
