using System.Globalization;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri analyze</c>: a study and a model to a report (stdout or a folder); bad arguments named; Ctrl+C stops it with 130.</summary>
[TestClass]
public sealed class AnalyzeCommandTests
{
    private static (string Table, string Model) Study(ScratchFolder dir)
    {
        var lines = new List<string> { "participant_id\tage\tgroup\tsite" };
        for (int s = 0; s < 20; s++)
        {
            string id = $"sub-{s:00}";
            Directory.CreateDirectory(dir.File($"{id}/anat"));
            TinyPhantoms.Write(dir.File($"{id}/anat/{id}_T1w.nii.gz"), 0.6 + (0.02 * s), "RAS", voxel: 6, seed: s);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id}\t{20 + (3 * s)}\t{(s % 2 == 0 ? "control" : "patient")}\t{(s < 10 ? "a" : "b")}"));
        }
        string table = dir.File("participants.tsv");
        File.WriteAllLines(table, lines);
        using var model = MriNetModel.CreateMriNet([16, 16, 16], ModelTask.Regression(50, "age"), seed: 2);
        string path = dir.File("pretrained.x4m");
        model.Save(path);
        return (table, path);
    }

    [TestMethod]
    public void AnalyzeWritesTheReportFolderAndPrintsTheRecommendation()
    {
        using var dir = TestPaths.Scratch();
        var (table, model) = Study(dir);

        var (code, stdout, stderr) = CliRunner.Run("analyze", "--model", model, "--data", table, "--label", "age", "--out", dir.File("report"),
            "--folds", "4", "--cache", dir.File("cache"));

        Assert.AreEqual(0, code, stderr);
        StringAssert.StartsWith(stdout, "Recommendation: ");
        StringAssert.Contains(stdout, $"Report written to {Path.Combine(dir.File("report"), "report.md")}");
        StringAssert.Contains(stderr, "features: 20 images");
        foreach (string file in TransferReport.Figures.Select(f => f.File).Append("report.md").Append("report.json"))
        {
            Assert.IsTrue(File.Exists(Path.Combine(dir.File("report"), file)), file);
        }
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.File("report"), "report.md")), "# Transfer analysis: `age`, 20 subjects");
    }

    [TestMethod]
    public void WithoutOutTheMarkdownGoesToStdoutAndClassesWork()
    {
        using var dir = TestPaths.Scratch();
        var (table, model) = Study(dir);

        var (code, stdout, stderr) = CliRunner.Run("analyze", "--model", model, "--data", table, "--label", "group", "--task", "classification", "--folds", "4", "--cache", dir.File("cache"));

        Assert.AreEqual(0, code, stderr);
        StringAssert.StartsWith(stdout, "# Transfer analysis: `Label`, 20 subjects");
        StringAssert.Contains(stdout, "balanced accuracy");
        StringAssert.Contains(stdout, "| control | 10 |");
    }

    [TestMethod]
    public void BadArgumentsAreNamed()
    {
        using var dir = TestPaths.Scratch();
        var (table, model) = Study(dir);

        var (code, _, stderr) = CliRunner.Run("analyze", "--model", model, "--data", table, "--label", "weight", "--cache", dir.File("cache"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "xai4mri analyze: --label: the study has no column 'weight' (columns: participant_id, ");

        var (missing, _, missingErr) = CliRunner.Run("analyze", "--model", dir.File("nope.x4m"), "--data", table, "--label", "age");
        Assert.AreEqual(1, missing);
        StringAssert.Contains(missingErr, "nope.x4m");
        StringAssert.Contains(missingErr, "file not found");
    }

    [TestMethod]
    public void CancellingStopsTheAnalysisWithExitCode130()
    {
        using var dir = TestPaths.Scratch();
        var (table, model) = Study(dir);
        using var cancel = new CancellationTokenSource();
        var stderr = new TriggerWriter("features: running", cancel.Cancel);
        var stdout = new StringWriter();

        int code = Xai4Mri.Cli.CliApp.Run(["analyze", "--model", model, "--data", table, "--label", "age", "--out", dir.File("report"), "--folds", "4", "--cache", dir.File("cache")],
            new Xai4Mri.Cli.CliIo(stdout, stderr, cancel: cancel.Token));

        string err = stderr.ToString();
        Assert.AreEqual(130, code, err);
        StringAssert.Contains(err, "xai4mri analyze: cancelling after the current step");
        StringAssert.Contains(err, "xai4mri analyze: cancelled; no report was written");
        Assert.DoesNotContain("probes on", err);
        Assert.AreEqual("", stdout.ToString());
        Assert.IsFalse(Directory.Exists(dir.File("report")));
    }
}
