using Xai4Mri.Cli;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri synth</c>: writes a cohort with progress and a summary; bad arguments fail with the documented codes.</summary>
[TestClass]
public sealed class SynthCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [TestMethod]
    public void WritesACohortWithProgressAndSummary()
    {
        using var dir = TestPaths.Scratch();
        string root = dir.File("cohort");
        var (code, output, error) = Run("synth", "--out", root, "--subjects", "20", "--seed", "4", "--site", "site-b", "--site", "site-d",
            "--voxel-size", "16", "--orientation", "LIA", "--with-skull");

        Assert.AreEqual(CliApp.ExitOk, code, error);
        // Progress goes to stderr, a plain line per tenth (stderr is not a terminal here); stdout only has the summary.
        string[] progress = error.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.HasCount(10, progress, error);
        StringAssert.StartsWith(progress[0], "synth 2/20 subjects (10%), ETA ");
        Assert.AreEqual("synth 20/20 subjects (100%)", progress[9]);
        Assert.DoesNotContain("\r", error);
        string[] lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.HasCount(5, lines, output);
        StringAssert.StartsWith(lines[0], $"Wrote 20 subjects to {root} in ");
        StringAssert.Contains(output, "sites     site-b 10, site-d 10");
        StringAssert.Contains(output, $"table     {Path.Combine(root, "participants.tsv")}");
        Assert.HasCount(21, File.ReadAllLines(Path.Combine(root, "participants.tsv")));
        var image = MriImage.Load(Path.Combine(root, "sub-020", "anat", "sub-020_T1w.nii.gz"));
        Assert.AreEqual("LIA", image.AxisCodes);
        Assert.AreEqual(16.0, image.Zooms[0]);
        // sub-020 is scanned at site-d, whose Rician noise leaves no voxel of a with-skull image at zero.
        Assert.IsTrue(image.GetFloatData().All(v => v != 0), "with skull, the background carries noise");
    }

    [TestMethod]
    [DataRow("--subjects", "0")]
    [DataRow("--subjects", "many")]
    [DataRow("--orientation", "XYZ")]
    [DataRow("--orientation", "RRS")]
    [DataRow("--voxel-size", "-2")]
    [DataRow("--site", "nowhere")]
    [DataRow("--patient-fraction", "2")]
    [DataRow("--min-age", "90")]
    public void RejectsBadArgumentsWithUsageExitCode(string option, string value)
    {
        using var dir = TestPaths.Scratch();
        var (code, output, error) = Run("synth", "--out", dir.File("out"), option, value);

        Assert.AreEqual(CliApp.ExitUsage, code, error);
        StringAssert.StartsWith(error, "xai4mri");
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Wrote", output);
        Assert.IsFalse(Directory.Exists(dir.File("out")));
    }

    [TestMethod]
    public void MissingOutputIsAUsageError()
    {
        var (code, _, error) = Run("synth", "--subjects", "2");

        Assert.AreEqual(CliApp.ExitUsage, code);
        StringAssert.Contains(error, "--out");
    }

    [TestMethod]
    public void FolderWithOtherDataIsRefusedWithExitCode1UnlessOverwriting()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllText(dir.File("keep.txt"), "mine");

        var (code, output, error) = Run("synth", "--out", dir.Path, "--subjects", "2", "--voxel-size", "16");
        Assert.AreEqual(CliApp.ExitBadInput, code);
        Assert.AreEqual("", output);
        Assert.HasCount(1, error.TrimEnd().Split('\n'), error);
        StringAssert.StartsWith(error, $"xai4mri synth: {dir.Path}: folder is not empty");

        (code, _, error) = Run("synth", "--out", dir.Path, "--subjects", "2", "--voxel-size", "16", "--overwrite");
        Assert.AreEqual(CliApp.ExitOk, code, error);
        Assert.AreEqual("mine", File.ReadAllText(dir.File("keep.txt")));
    }
}
