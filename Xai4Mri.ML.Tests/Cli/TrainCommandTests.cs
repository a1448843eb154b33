using System.Diagnostics;
using System.Globalization;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri train</c>: a study table to a model .zip; a training process killed mid-run resumes to the same weights.</summary>
[TestClass]
public sealed class TrainCommandTests
{
    private static string Study(ScratchFolder dir, int n = 12)
    {
        var lines = new List<string> { "participant_id\tage\tgroup" };
        for (int s = 0; s < n; s++)
        {
            string id = $"sub-{s:00}";
            Directory.CreateDirectory(dir.File($"{id}/anat"));
            TinyPhantoms.Write(dir.File($"{id}/anat/{id}_T1w.nii.gz"), 0.7 + (0.03 * s), "RAS", voxel: 6, seed: s);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id}\t{20 + (4 * s)}\t{(s % 2 == 0 ? "control" : "patient")}"));
        }
        string table = dir.File("participants.tsv");
        File.WriteAllLines(table, lines);
        return table;
    }

    private static string[] TrainArgs(string table, string output, string checkpoint, string cache) =>
        ["train", "--data", table, "--label", "age", "--out", output, "--strategy", "mono", "--epochs", "8", "--batch-size", "2",
         "--validation-fraction", "0.25", "--checkpoint", checkpoint, "--cache", cache, "--seed", "3", "--learning-rate", "0.002"];

    [TestMethod]
    public void TrainWritesAModelThatPredictScores()
    {
        using var dir = TestPaths.Scratch();
        string table = Study(dir, 8);
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", table, "--label", "group", "--task", "classification", "--out", dir.File("m.zip"),
            "--epochs", "2", "--fine-tune-epochs", "1", "--cache", dir.File("cache"), "--plot", dir.File("curve.png"));

        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "phase 2/2 (dense layers only) epoch 1/1");
        StringAssert.Contains(stdout, $"Saved {dir.File("m.zip")}: best epoch");
        Assert.IsGreaterThan(1000L, new FileInfo(dir.File("curve.png")).Length);
        using var model = MriNetModel.FromModelZip(dir.File("m.zip"));
        CollectionAssert.AreEqual(new[] { "control", "patient" }, model.Task.ClassNames.ToArray());

        var (infoCode, info, infoErr) = CliRunner.Run("model-info", dir.File("m.zip"));
        Assert.AreEqual(0, infoCode, infoErr);
        StringAssert.Contains(info, "Task: classification (control, patient)");

        var (predictCode, predictions, predictErr) = CliRunner.Run("predict", "--model", dir.File("m.zip"), dir.File("sub-00/anat/sub-00_T1w.nii.gz"));
        Assert.AreEqual(0, predictCode, predictErr);
        StringAssert.StartsWith(predictions.Split('\n')[0], "Path\t");
        StringAssert.Contains(predictions.Split('\n')[0], "PredictedLabel");
    }

    [TestMethod]
    public void AKilledTrainingProcessResumesToTheWeightsOfAnUninterruptedRun()
    {
        using var dir = TestPaths.Scratch();
        string table = Study(dir);
        var (code, _, stderr) = CliRunner.Run(TrainArgs(table, dir.File("whole.zip"), dir.File("ckpt-whole"), dir.File("cache")));
        Assert.AreEqual(0, code, stderr);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in TrainArgs(table, dir.File("resumed.zip"), dir.File("ckpt-killed"), dir.File("cache")).Prepend(Path.Combine(AppContext.BaseDirectory, "xai4mri.dll")))
        {
            psi.ArgumentList.Add(arg);
        }
        using (var process = Process.Start(psi)!)
        {
            // Each epoch line is printed after that epoch's checkpoint is on disk; kill the process without warning.
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("epoch 3/8", StringComparison.Ordinal))
            {
            }
            Assert.IsNotNull(line, $"the training process ended before epoch 3: {process.StandardError.ReadToEnd()}");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.IsFalse(File.Exists(dir.File("resumed.zip")), "the killed run must not have finished");

        var (resumedCode, resumedOut, resumedErr) = CliRunner.Run(TrainArgs(table, dir.File("resumed.zip"), dir.File("ckpt-killed"), dir.File("cache")));
        Assert.AreEqual(0, resumedCode, resumedErr);
        Assert.IsFalse(resumedOut.Contains("epoch 1/8", StringComparison.Ordinal), $"epochs before the kill must not run again:\n{resumedOut}");
        StringAssert.Contains(resumedOut, "epoch 8/8");

        using var whole = MriNetModel.FromModelZip(dir.File("whole.zip"));
        using var resumed = MriNetModel.FromModelZip(dir.File("resumed.zip"));
        var expected = whole.Network.state_dict();
        foreach (var (name, value) in resumed.Network.state_dict())
        {
            CollectionAssert.AreEqual(expected[name].data<float>().ToArray(), value.data<float>().ToArray(), name);
        }
    }
}
