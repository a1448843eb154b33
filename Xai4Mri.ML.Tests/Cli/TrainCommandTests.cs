using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// <c>xai4mri train</c>: a study table or a BIDS folder to a model .zip that predict scores; every trainer option reaches
/// the trainer; a training process killed mid-run resumes to the same weights; Ctrl+C stops with exit code 130.
/// </summary>
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
        // Epoch lines are progress (stderr); stdout has one line naming the model.
        StringAssert.Contains(stderr, "phase 2/2 (dense layers only) epoch 1/1");
        StringAssert.StartsWith(stdout, $"Saved {dir.File("m.zip")}: best epoch");
        Assert.HasCount(1, stdout.TrimEnd().Split('\n'), stdout);
        Assert.IsGreaterThan(1000L, new FileInfo(dir.File("curve.png")).Length);
        using var model = MriNetModel.FromModelZip(dir.File("m.zip"));
        CollectionAssert.AreEqual(new[] { "control", "patient" }, model.Task.ClassNames.ToArray());
        using (var archive = ZipFile.OpenRead(dir.File("m.zip")))
        {
            Assert.IsNotNull(archive.GetEntry("xai4mri-sha256.json"), "train saves the SHA-256 manifest that predict verifies");
        }

        var (infoCode, info, infoErr) = CliRunner.Run("model-info", dir.File("m.zip"));
        Assert.AreEqual(0, infoCode, infoErr);
        StringAssert.Contains(info, "Task: classification (control, patient)");

        var (predictCode, predictions, predictErr) = CliRunner.Run("predict", "--model", dir.File("m.zip"), dir.File("sub-00/anat/sub-00_T1w.nii.gz"));
        Assert.AreEqual(0, predictCode, predictErr);
        StringAssert.StartsWith(predictions.Split('\n')[0], "Path\t");
        StringAssert.Contains(predictions.Split('\n')[0], "PredictedLabel");
        Assert.AreEqual("predict 1/1 images (100%): sub-00_T1w.nii.gz\n", predictErr.Replace("\r", ""), "progress on stderr, the table alone on stdout");

        // The whole study table at once: one row per subject, led by its id.
        var (tableCode, tsv, tableErr) = CliRunner.Run("predict", "--model", dir.File("m.zip"), "--data", table);
        Assert.AreEqual(0, tableCode, tableErr);
        string[] rows = tsv.TrimEnd('\n').Split('\n');
        StringAssert.StartsWith(rows[0], "participant_id\tPath\t");
        Assert.HasCount(9, rows, tsv);
        CollectionAssert.AreEqual(Enumerable.Range(0, 8).Select(s => $"sub-{s:00}").ToArray(), rows.Skip(1).Select(r => r.Split('\t')[0]).ToArray());
        CollectionAssert.AreEqual(predictions.Split('\n')[1].Split('\t').Skip(1).ToArray(), rows[1].Split('\t').Skip(2).ToArray(), "the same image scores the same from a table");

        // A file that is not an image: exit 1, one line naming it, nothing on stdout.
        File.WriteAllBytes(dir.File("broken.nii.gz"), new byte[100]);
        var (brokenCode, brokenOut, brokenErr) = CliRunner.Run("predict", "--model", dir.File("m.zip"), dir.File("broken.nii.gz"));
        Assert.AreEqual(1, brokenCode, brokenErr);
        Assert.AreEqual("", brokenOut);
        StringAssert.StartsWith(brokenErr, "xai4mri predict: ");
        StringAssert.Contains(brokenErr, "broken.nii.gz", brokenErr);
        Assert.HasCount(1, brokenErr.TrimEnd().Split('\n'), brokenErr);
    }

    [TestMethod]
    public void AKilledTrainingProcessResumesToTheWeightsOfAnUninterruptedRun()
    {
        using var dir = TestPaths.Scratch();
        // Enough subjects that the epochs after the awaited line outlast the test's reaction to it (a kill or signal
        // that arrives after the run finished would test nothing), even when a busy machine schedules the test late.
        string table = Study(dir, 96);
        var (code, _, stderr) = CliRunner.Run(TrainArgs(table, dir.File("whole.zip"), dir.File("ckpt-whole"), dir.File("cache")));
        Assert.AreEqual(0, code, stderr);

        string killedErr;
        using (var child = CliProcess.Start(TrainArgs(table, dir.File("resumed.zip"), dir.File("ckpt-killed"), dir.File("cache"))))
        {
            // Each epoch line is printed after that epoch's checkpoint is on disk; kill the process without warning.
            Assert.IsTrue(child.WaitForErrorLine("epoch 2/8"), $"the training process ended before epoch 2:\n{child.Output}");
            killedErr = child.Kill();
        }
        // Wherever the kill landed (even inside a checkpoint write), the folder holds a readable checkpoint of a run
        // that has not finished, and no model.
        var killedAt = Checkpoint(dir.File("ckpt-killed"));
        Assert.IsFalse(killedAt.Completed, $"the killed run must not have finished:\n{killedErr}");
        Assert.IsFalse(File.Exists(dir.File("resumed.zip")), "the killed run must not have written a model");
        int done = killedAt.History.Count;
        Assert.IsTrue(done is >= 2 and < 8, $"checkpoint after epoch {done}");

        var (resumedCode, _, resumedErr) = CliRunner.Run(TrainArgs(table, dir.File("resumed.zip"), dir.File("ckpt-killed"), dir.File("cache")));
        Assert.AreEqual(0, resumedCode, resumedErr);
        // The resumed run trains exactly the epochs the checkpoint lacks: none before the kill runs again.
        CollectionAssert.AreEqual(Enumerable.Range(done + 1, 8 - done).ToArray(), EpochsIn(resumedErr), resumedErr);

        using var whole = MriNetModel.FromModelZip(dir.File("whole.zip"));
        using var resumed = MriNetModel.FromModelZip(dir.File("resumed.zip"));
        var expected = whole.Network.state_dict();
        foreach (var (name, value) in resumed.Network.state_dict())
        {
            CollectionAssert.AreEqual(expected[name].data<float>().ToArray(), value.data<float>().ToArray(), name);
        }
    }

    /// <summary>The checkpoint a training run left in <paramref name="folder"/>, read as the trainer reads it.</summary>
    private static TrainingCheckpoint Checkpoint(string folder)
    {
        string path = Path.Combine(folder, TrainingCheckpoint.FileName);
        string fingerprint;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("state.json")!.Open()))
        {
            fingerprint = System.Text.Json.JsonDocument.Parse(reader.ReadToEnd()).RootElement.GetProperty("Fingerprint").GetString()!;
        }
        var (state, _, problem) = TrainingCheckpoint.TryLoad(path, fingerprint);
        Assert.IsNull(problem, problem);
        return state!;
    }

    /// <summary>The epoch numbers of the single-phase run's progress lines, in the order printed.</summary>
    private static int[] EpochsIn(string stderr) =>
        [.. System.Text.RegularExpressions.Regex.Matches(stderr, @"epoch (\d+)/8:").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [TestMethod]
    public void TrainsOnABidsFolderWithTheTrainersOptionsAndPredictsIt()
    {
        using var dir = TestPaths.Scratch();
        Study(dir, 8);
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", dir.Path, "--label", "age", "--out", dir.File("bids.zip"), "--strategy", "dual",
            "--epochs", "2", "--fine-tune-epochs", "1", "--batch-size", "2", "--learning-rate", "0.002", "--fine-tune-learning-rate", "0.001",
            "--weight-decay", "0.0001", "--min-delta", "0.01", "--patience", "3", "--validation-fraction", "0.25", "--seed", "5",
            "--flip-probability", "0.5", "--left-right-axis", "0", "--max-shift", "1", "--intensity-jitter", "0.1", "--cache", dir.File("cache"));

        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "phase 2/2 (dense layers only) epoch 1/1");
        StringAssert.StartsWith(stdout, $"Saved {dir.File("bids.zip")}: best epoch");

        var (predictCode, tsv, predictErr) = CliRunner.Run("predict", "--model", dir.File("bids.zip"), "--data", dir.Path);
        Assert.AreEqual(0, predictCode, predictErr);
        string[] rows = tsv.TrimEnd('\n').Split('\n');
        string[] header = rows[0].Split('\t');
        Assert.AreEqual("participant_id", header[0], rows[0]);
        CollectionAssert.Contains(header, "Path");
        CollectionAssert.Contains(header, "Score");
        Assert.HasCount(9, rows, tsv);
        int score = Array.IndexOf(header, "Score");
        Assert.IsTrue(rows.Skip(1).All(r => float.IsFinite(float.Parse(r.Split('\t')[score], CultureInfo.InvariantCulture))), tsv);
    }

    [TestMethod]
    public void EveryTrainOptionReachesTheTrainer()
    {
        var o = Xai4Mri.Cli.TrainCommand.ParseTrainerOptions("--data", "t.tsv", "--label", "age", "--out", "m.zip", "--strategy", "probe",
            "--epochs", "7", "--fine-tune-epochs", "3", "--learning-rate", "0.002", "--fine-tune-learning-rate", "0.0005", "--weight-decay", "0.01",
            "--batch-size", "6", "--validation-fraction", "0.2", "--patience", "4", "--min-delta", "0.05", "--flip-probability", "0.5",
            "--left-right-axis", "2", "--max-shift", "3", "--intensity-jitter", "0.2", "--checkpoint", "ckpt", "--seed", "9");

        Assert.AreEqual(TransferStrategy.LinearProbeThenFineTune, o.Strategy);
        Assert.AreEqual(7, o.Epochs);
        Assert.AreEqual(3, o.FineTuneEpochs);
        Assert.AreEqual(0.002, o.LearningRate);
        Assert.AreEqual(0.0005, o.FineTuneLearningRate);
        Assert.AreEqual(0.01, o.WeightDecay);
        Assert.AreEqual(6, o.BatchSize);
        Assert.AreEqual(0.2, o.ValidationFraction);
        Assert.AreEqual(4, o.EarlyStoppingPatience);
        Assert.AreEqual(0.05, o.EarlyStoppingMinDelta);
        Assert.IsNotNull(o.Augmentation);
        Assert.AreEqual(0.5, o.Augmentation.FlipProbability);
        Assert.AreEqual(2, o.Augmentation.LeftRightAxis);
        Assert.AreEqual(3, o.Augmentation.MaxShift);
        Assert.AreEqual(0.2, o.Augmentation.IntensityJitter);
        Assert.AreEqual("ckpt", o.CheckpointDirectory);
        Assert.AreEqual(9, o.Seed);
        Assert.AreEqual("age", o.LabelColumnName);

        // Left out, every option has the trainer's own default (and no augmentation).
        var d = Xai4Mri.Cli.TrainCommand.ParseTrainerOptions("--data", "t.tsv", "--label", "age", "--out", "m.zip");
        var library = new MriNetTransferTrainer.Options();
        Assert.AreEqual(library.Strategy, d.Strategy);
        Assert.AreEqual(library.Epochs, d.Epochs);
        Assert.AreEqual(library.FineTuneEpochs, d.FineTuneEpochs);
        Assert.AreEqual(library.LearningRate, d.LearningRate);
        Assert.AreEqual(library.FineTuneLearningRate, d.FineTuneLearningRate);
        Assert.AreEqual(library.WeightDecay, d.WeightDecay);
        Assert.AreEqual(library.BatchSize, d.BatchSize);
        Assert.AreEqual(library.ValidationFraction, d.ValidationFraction);
        Assert.AreEqual(library.EarlyStoppingPatience, d.EarlyStoppingPatience);
        Assert.AreEqual(library.EarlyStoppingMinDelta, d.EarlyStoppingMinDelta);
        Assert.AreEqual(library.Seed, d.Seed);
        Assert.IsNull(d.Augmentation);
        Assert.IsNull(d.CheckpointDirectory);
    }

    [TestMethod]
    [DataRow("--flip-probability", "1.5", "--flip-probability must be in [0, 1]")]
    [DataRow("--intensity-jitter", "1", "--intensity-jitter must be in [0, 1)")]
    [DataRow("--max-shift", "-1", "--max-shift must be at least 0")]
    [DataRow("--left-right-axis", "3", "--left-right-axis")]
    [DataRow("--learning-rate", "0", "--learning-rate must be a positive number")]
    [DataRow("--fine-tune-learning-rate", "-1e-3", "--fine-tune-learning-rate must be a positive number")]
    [DataRow("--validation-fraction", "1", "--validation-fraction must be in [0, 1)")]
    [DataRow("--epochs", "0", "--epochs must be at least 1")]
    [DataRow("--shape", "64x64", "--shape '64x64' is not DxHxW")]
    [DataRow("--strategy", "triple", "triple")]
    public void BadTrainValuesAreUsageErrorsNamingTheOption(string option, string value, string expected)
    {
        using var dir = TestPaths.Scratch();
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", dir.File("none.tsv"), "--label", "age", "--out", dir.File("m.zip"), option, value);

        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual("", stdout);
        StringAssert.StartsWith(stderr, "xai4mri train: ");
        StringAssert.Contains(stderr, expected);
        StringAssert.Contains(stderr, "Run 'xai4mri train --help' for usage.");
        Assert.HasCount(1, stderr.TrimEnd().Split('\n'), stderr);
    }

    [TestMethod]
    public void CancellingStopsTrainingWithExitCode130AndKeepsTheCheckpoint()
    {
        using var dir = TestPaths.Scratch();
        string table = Study(dir);
        using var cancel = new CancellationTokenSource();
        // What Ctrl+C does through Console.CancelKeyPress, here from the stderr writer once epoch 2 is reported.
        var stderr = new TriggerWriter("epoch 2/8", cancel.Cancel);
        var stdout = new StringWriter();
        int code = Xai4Mri.Cli.CliApp.Run(TrainArgs(table, dir.File("m.zip"), dir.File("ckpt"), dir.File("cache")), new Xai4Mri.Cli.CliIo(stdout, stderr, cancel: cancel.Token));

        string err = stderr.ToString();
        Assert.AreEqual(Xai4Mri.Cli.CliApp.ExitCancelled, code, err);
        StringAssert.Contains(err, "xai4mri train: cancelling after the current step");
        StringAssert.Contains(err, $"xai4mri train: cancelled; no model was written; the checkpoint in {dir.File("ckpt")} is kept");
        Assert.DoesNotContain("epoch 8/8", err);
        Assert.AreEqual("", stdout.ToString());
        Assert.IsFalse(File.Exists(dir.File("m.zip")));
        Assert.IsNotEmpty(Directory.GetFiles(dir.File("ckpt"), "*", SearchOption.AllDirectories));
    }

    [TestMethod]
    public void CtrlCInATrainingProcessExitsWith130()
    {
        using var dir = TestPaths.Scratch();
        // Enough subjects that the epochs after the awaited line outlast the test's reaction to it (a kill or signal
        // that arrives after the run finished would test nothing), even when a busy machine schedules the test late.
        string table = Study(dir, 96);
        int code;
        string err;
        using (var child = CliProcess.Start(TrainArgs(table, dir.File("m.zip"), dir.File("ckpt"), dir.File("cache"))))
        {
            // The Ctrl+C handler is installed before training starts, so once an epoch is reported SIGINT (what Ctrl+C
            // sends; .NET raises Console.CancelKeyPress for it) must cancel the run.
            Assert.IsTrue(child.WaitForErrorLine("epoch 2/8"), $"the training process ended before epoch 2:\n{child.Output}");
            child.Interrupt();
            (code, err) = child.WaitForExit();
        }

        Assert.AreEqual(130, code, err);
        StringAssert.Contains(err, "xai4mri train: cancelling after the current step (Ctrl+C again to stop at once)");
        StringAssert.Contains(err, $"xai4mri train: cancelled; no model was written; the checkpoint in {dir.File("ckpt")} is kept");
        Assert.IsFalse(File.Exists(dir.File("m.zip")));
        // The run stopped early, and the checkpoint it kept is that of the last epoch it reported.
        int[] epochs = EpochsIn(err);
        var kept = Checkpoint(dir.File("ckpt"));
        Assert.IsFalse(kept.Completed, err);
        CollectionAssert.AreEqual(Enumerable.Range(1, kept.History.Count).ToArray(), epochs, err);
        Assert.IsTrue(epochs.Length is >= 2 and < 8, err);
    }

    [TestMethod]
    public void SigtermKeepsACheckpointThatTheSameCommandResumesAndAnotherRunIgnores()
    {
        using var dir = TestPaths.Scratch();
        // As many subjects as for Ctrl+C, so that the run is still training when the signal comes.
        string table = Study(dir, 96);
        string[] args = TrainArgs(table, dir.File("m.zip"), dir.File("ckpt"), dir.File("cache"));
        string checkpoint = Path.Combine(dir.File("ckpt"), TrainingCheckpoint.FileName);
        int code;
        string err;
        using (var child = CliProcess.Start(args))
        {
            Assert.IsTrue(child.WaitForErrorLine("epoch 2/8"), $"the training process ended before epoch 2:\n{child.Output}");
            child.Terminate();
            (code, err) = child.WaitForExit();
        }

        Assert.AreEqual(130, code, err);
        StringAssert.Contains(err, "xai4mri train: SIGTERM: cancelling after the current step (SIGTERM again to stop at once)");
        StringAssert.Contains(err, $"xai4mri train: cancelled; no model was written; the checkpoint in {dir.File("ckpt")} is kept and the same command resumes from it");
        Assert.IsFalse(File.Exists(dir.File("m.zip")));
        int done = Checkpoint(dir.File("ckpt")).History.Count;
        CollectionAssert.AreEqual(Enumerable.Range(1, done).ToArray(), EpochsIn(err), err);
        Assert.IsTrue(done is >= 2 and < 8, err);

        var (resumedCode, _, resumedErr) = CliRunner.Run(args);
        Assert.AreEqual(0, resumedCode, resumedErr);
        StringAssert.Contains(resumedErr, $"xai4mri train: resuming from {checkpoint} after epoch {done}\n");
        CollectionAssert.AreEqual(Enumerable.Range(done + 1, 8 - done).ToArray(), EpochsIn(resumedErr), resumedErr);
        Assert.IsTrue(File.Exists(dir.File("m.zip")));

        // One epoch instead of eight is another run: the checkpoint is named as ignored, and training starts afresh.
        string[] other = [.. args.Select((a, i) => i > 0 && args[i - 1] == "--epochs" ? "1" : a)];
        var (otherCode, _, otherErr) = CliRunner.Run(other);
        Assert.AreEqual(0, otherCode, otherErr);
        StringAssert.Contains(otherErr, $"xai4mri train: warning: ignoring the checkpoint in {checkpoint}: it belongs to another run (different data, model or options)");
        Assert.DoesNotContain("resuming from", otherErr);
        StringAssert.Contains(otherErr, "phase 1/1 (all layers) epoch 1/1:");
    }
}

/// <summary>A stderr that records what is written and calls an action once a given text appears (a scripted Ctrl+C).</summary>
internal sealed class TriggerWriter(string trigger, Action action) : StringWriter
{
    private bool _fired;

    public override void Write(char value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        Check();
    }

    private void Check()
    {
        if (!_fired && ToString().Contains(trigger, StringComparison.Ordinal))
        {
            _fired = true;
            action();
        }
    }
}
