using System.Buffers.Binary;
using System.Globalization;
using SkiaSharp;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>The epoch log line, the best epoch, the TSV round trip and the learning-curve PNG.</summary>
[TestClass]
public sealed class TrainingHistoryTests
{
    private static TrainingProgress Epoch(int epoch, double train, double? validation, int phase = 1, int inPhase = 0) => new()
    {
        Phase = phase,
        PhaseCount = 2,
        PhaseName = phase == 1 ? "all layers" : "dense layers only",
        Epoch = epoch,
        EpochInPhase = inPhase == 0 ? epoch : inPhase,
        EpochsInPhase = 10,
        TrainLoss = train,
        ValidationLoss = validation,
        MetricName = "MAE",
        TrainMetric = Math.Sqrt(train),
        ValidationMetric = validation is double v ? Math.Sqrt(v) : null,
        Seconds = 2.5,
        EstimatedRemaining = TimeSpan.FromSeconds(30 - epoch),
    };

    private static TrainingHistory HistoryOf(params TrainingProgress[] epochs)
    {
        var history = new TrainingHistory();
        foreach (var e in epochs)
        {
            history.Add(e);
        }
        return history;
    }

    /// <summary>A two-phase run whose losses fall from <paramref name="start"/> over more than a decade.</summary>
    private static TrainingHistory TwoPhaseRun(double start)
    {
        var history = new TrainingHistory();
        for (int epoch = 1; epoch <= 12; epoch++)
        {
            double train = start * Math.Exp(-epoch / 2.5) + 8, validation = 1.1 * start * Math.Exp(-epoch / 2.7) + 12;
            history.Add(Epoch(epoch, train, validation, phase: epoch <= 8 ? 1 : 2, inPhase: epoch <= 8 ? epoch : epoch - 8));
        }
        return history;
    }

    [TestMethod]
    public void ToStringIsOneInvariantLogLine()
    {
        var progress = new TrainingProgress
        {
            Phase = 1,
            PhaseCount = 2,
            PhaseName = "all layers",
            Epoch = 3,
            EpochInPhase = 3,
            EpochsInPhase = 20,
            TrainLoss = 12.41,
            ValidationLoss = 14.02,
            MetricName = "MAE",
            ValidationMetric = 3.1,
            Seconds = 2.1,
            EstimatedRemaining = TimeSpan.FromSeconds(38),
            IsBest = true,
        };
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma culture must not leak into the log line.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.AreEqual("phase 1/2 (all layers) epoch 3/20: loss 12.41, val loss 14.02, val MAE 3.10 — 2.1 s/epoch, ETA 0:38 *best*", progress.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [TestMethod]
    public void ToStringWithoutValidationShowsTrainMetricSmallValuesAndHours()
    {
        var progress = new TrainingProgress
        {
            Phase = 2,
            PhaseCount = 2,
            PhaseName = "dense layers only",
            Epoch = 21,
            EpochInPhase = 1,
            EpochsInPhase = 5,
            TrainLoss = 0.012345,
            MetricName = "accuracy",
            TrainMetric = 0.875,
            Seconds = 0.45,
            EstimatedRemaining = new TimeSpan(1, 2, 5),
        };
        Assert.AreEqual("phase 2/2 (dense layers only) epoch 1/5: loss 0.0123, accuracy 0.875 — 0.45 s/epoch, ETA 1:02:05", progress.ToString());
    }

    [TestMethod]
    public void BestIsTheLowestValidationLoss()
    {
        // Epoch 3 has the lowest training loss but not the lowest validation loss; NaN never wins.
        var history = HistoryOf(Epoch(1, 9, double.NaN), Epoch(2, 5, 3), Epoch(3, 1, 4), Epoch(4, 2, 3));
        Assert.AreEqual(2, history.Best?.Epoch);
    }

    [TestMethod]
    public void BestWithoutValidationIsTheLowestTrainingLoss()
    {
        var history = HistoryOf(Epoch(1, 3, null), Epoch(2, double.NaN, null), Epoch(3, 1, null), Epoch(4, 2, null));
        Assert.AreEqual(3, history.Best?.Epoch);
        Assert.IsNull(new TrainingHistory().Best);
    }

    [TestMethod]
    public void PhaseBoundariesAreTheFirstEpochsOfLaterPhases()
    {
        CollectionAssert.AreEqual(new[] { 9 }, TwoPhaseRun(100).PhaseBoundaries.ToArray());
        Assert.AreEqual(0, HistoryOf(Epoch(1, 3, 4), Epoch(2, 2, 3)).PhaseBoundaries.Count);
    }

    [TestMethod]
    public void AddRejectsEpochsOutOfOrder()
    {
        var history = HistoryOf(Epoch(1, 3, 4), Epoch(2, 2, 3));
        var error = Assert.ThrowsExactly<ArgumentException>(() => history.Add(Epoch(2, 1, 2)));
        StringAssert.Contains(error.Message, "epoch 2 recorded after epoch 2");
    }

    [TestMethod]
    public void TsvRoundTripsEveryField()
    {
        var history = TwoPhaseRun(300);
        history.Add(Epoch(13, double.NaN, null) with { MetricName = null, TrainMetric = null, EstimatedRemaining = new TimeSpan(3, 4, 5, 6, 789), IsBest = true });
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string tsv = history.ToTsv();
            var back = TrainingHistory.FromTsv(tsv);

            CollectionAssert.AreEqual(history.Epochs.ToArray(), back.Epochs.ToArray());
            Assert.AreEqual(tsv, back.ToTsv());
            Assert.AreEqual(14, tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, "header + 13 epochs");
            StringAssert.StartsWith(tsv, "phase\tphase_count\tphase_name\tepoch\t");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [TestMethod]
    public void FromTsvNamesTheBadLine()
    {
        Assert.ThrowsExactly<FormatException>(() => TrainingHistory.FromTsv("epoch\tloss\n1\t2\n"));
        string[] lines = TwoPhaseRun(100).ToTsv().Split('\n');
        lines[3] = lines[3].Replace("all layers\t3\t", "all layers\tthree\t", StringComparison.Ordinal);
        var error = Assert.ThrowsExactly<FormatException>(() => TrainingHistory.FromTsv(string.Join('\n', lines)));
        StringAssert.Contains(error.Message, "line 4");
    }

    [TestMethod]
    public void SavePlotWritesAPngOfTheAskedSizeWithTheCurvesDrawn()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("curve.png");
        TwoPhaseRun(300).SavePlot(path, width: 640, height: 400);

        byte[] png = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.AreEqual(640, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.AreEqual(400, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

        using var bitmap = SKBitmap.Decode(png);
        var colours = new HashSet<uint>();
        int train = 0, validation = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            colours.Add((uint)pixel);
            train += Near(pixel, 0x1f, 0x77, 0xb4) ? 1 : 0;
            validation += Near(pixel, 0xff, 0x7f, 0x0e) ? 1 : 0;
        }
        Assert.IsGreaterThan(50, colours.Count, "anti-aliased lines and text give many colours; a blank image has one");
        Assert.IsGreaterThan(300, train, "pixels in the training-loss colour");
        Assert.IsGreaterThan(300, validation, "pixels in the validation-loss colour");
        CollectionAssert.AreEqual(new[] { "curve.png" }, Directory.GetFiles(scratch.Path).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");
    }

    [TestMethod]
    public void SavePlotDrawsTheValues()
    {
        using var scratch = TestPaths.Scratch();
        TwoPhaseRun(300).SavePlot(scratch.File("a.png"));
        TwoPhaseRun(50).SavePlot(scratch.File("b.png"));
        CollectionAssert.AreNotEqual(File.ReadAllBytes(scratch.File("a.png")), File.ReadAllBytes(scratch.File("b.png")));

        // Saving over an existing file replaces it, and the same history renders the same bytes.
        TwoPhaseRun(50).SavePlot(scratch.File("a.png"));
        CollectionAssert.AreEqual(File.ReadAllBytes(scratch.File("b.png")), File.ReadAllBytes(scratch.File("a.png")));
    }

    [TestMethod]
    public void SavePlotWithoutValidationOrMetricWritesOnePanel()
    {
        using var scratch = TestPaths.Scratch();
        var history = HistoryOf(Epoch(1, 3, null) with { MetricName = null }, Epoch(2, 2, null) with { MetricName = null });
        history.SavePlot(scratch.File("train-only.png"), width: 300, height: 200);
        using var bitmap = SKBitmap.Decode(scratch.File("train-only.png"));
        Assert.AreEqual(300, bitmap.Width);
        Assert.IsTrue(bitmap.Pixels.Any(p => Near(p, 0x1f, 0x77, 0xb4)));
    }

    [TestMethod]
    public void SavePlotRejectsAnEmptyHistoryAndBadPaths()
    {
        using var scratch = TestPaths.Scratch();
        var empty = Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingHistory().SavePlot(scratch.File("empty.png")));
        Assert.AreEqual("the training history has no epochs to plot", empty.Message);

        var history = TwoPhaseRun(100);
        var missing = Assert.ThrowsExactly<DirectoryNotFoundException>(() => history.SavePlot(Path.Combine(scratch.Path, "no-such-folder", "c.png")));
        StringAssert.Contains(missing.Message, "no-such-folder");
        Assert.ThrowsExactly<ArgumentException>(() => history.SavePlot(scratch.Path));
        Assert.ThrowsExactly<ArgumentException>(() => history.SavePlot(" "));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => history.SavePlot(scratch.File("tiny.png"), width: 10));
        Assert.AreEqual(0, Directory.GetFiles(scratch.Path).Length);
    }

    private static bool Near(SKColor pixel, byte r, byte g, byte b) =>
        Math.Abs(pixel.Red - r) <= 8 && Math.Abs(pixel.Green - g) <= 8 && Math.Abs(pixel.Blue - b) <= 8;
}
