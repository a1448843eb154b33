using System.Globalization;
using System.Text;

namespace Xai4Mri.ML.Training;

/// <summary>The epochs of one training run, in order: the best epoch, phase boundaries, a TSV log and a learning-curve plot.</summary>
public sealed class TrainingHistory
{
    /// <summary>The TSV columns, in order; the header line of <see cref="ToTsv"/> and what <see cref="FromTsv"/> expects.</summary>
    private static readonly string[] Columns =
    [
        "phase", "phase_count", "phase_name", "epoch", "epoch_in_phase", "epochs_in_phase", "train_loss", "val_loss",
        "metric_name", "train_metric", "val_metric", "seconds", "estimated_remaining", "is_best",
    ];

    private readonly List<TrainingProgress> _epochs = [];

    /// <summary>Every recorded epoch, in the order they were trained.</summary>
    public IReadOnlyList<TrainingProgress> Epochs => _epochs;

    /// <summary>
    /// The epoch with the lowest validation loss; when no epoch has one, the epoch with the lowest training loss.
    /// NaN losses (a diverged run) never win; ties go to the earlier epoch. Null for an empty history.
    /// </summary>
    public TrainingProgress? Best
    {
        get
        {
            bool validated = _epochs.Any(e => e.ValidationLoss is double v && !double.IsNaN(v));
            TrainingProgress? best = null;
            foreach (var epoch in _epochs)
            {
                double loss = validated ? epoch.ValidationLoss ?? double.NaN : epoch.TrainLoss;
                if (!double.IsNaN(loss) && (best is null || loss < (validated ? best.ValidationLoss!.Value : best.TrainLoss)))
                {
                    best = epoch;
                }
            }
            return best;
        }
    }

    /// <summary>The run-wide <see cref="TrainingProgress.Epoch"/> numbers at which a new phase starts (empty for one phase).</summary>
    public IReadOnlyList<int> PhaseBoundaries =>
        [.. _epochs.Skip(1).Where((e, i) => e.Phase != _epochs[i].Phase).Select(e => e.Epoch)];

    /// <summary>Records a finished epoch; the trainer calls this once per epoch, in order.</summary>
    /// <exception cref="ArgumentException">The epoch number does not follow the last recorded one.</exception>
    internal void Add(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_epochs.Count > 0 && progress.Epoch <= _epochs[^1].Epoch)
        {
            throw new ArgumentException($"epoch {progress.Epoch} recorded after epoch {_epochs[^1].Epoch}; epochs must increase", nameof(progress));
        }
        _epochs.Add(progress);
    }

    /// <summary>
    /// The history as tab-separated values: a header line, then one line per epoch, in invariant culture with
    /// round-trip precision, so <see cref="FromTsv"/> gives back equal epochs. A missing value is an empty cell.
    /// </summary>
    /// <exception cref="InvalidOperationException">A phase or metric name contains a tab or line break.</exception>
    public string ToTsv()
    {
        var tsv = new StringBuilder().AppendJoin('\t', Columns).Append('\n');
        foreach (var e in _epochs)
        {
            string[] cells =
            [
                Int(e.Phase), Int(e.PhaseCount), Text(e.PhaseName), Int(e.Epoch), Int(e.EpochInPhase), Int(e.EpochsInPhase),
                Real(e.TrainLoss), Real(e.ValidationLoss), Text(e.MetricName), Real(e.TrainMetric), Real(e.ValidationMetric),
                Real(e.Seconds), e.EstimatedRemaining.ToString("c", CultureInfo.InvariantCulture), e.IsBest ? "1" : "0",
            ];
            tsv.AppendJoin('\t', cells).Append('\n');
        }
        return tsv.ToString();

        static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
        static string Real(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        static string Text(string? value) => value is not null && value.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0
            ? throw new InvalidOperationException($"'{value}' contains a tab or line break and cannot be written as a TSV cell")
            : value ?? "";
    }

    /// <summary>Reads a history written by <see cref="ToTsv"/>. An empty metric name cell reads as null.</summary>
    /// <exception cref="FormatException">The header is not <see cref="ToTsv"/>'s, or a line has the wrong number of cells or an unreadable value.</exception>
    public static TrainingHistory FromTsv(string tsv)
    {
        ArgumentNullException.ThrowIfNull(tsv);
        var lines = tsv.ReplaceLineEndings("\n").Split('\n');
        if (lines[0] != string.Join('\t', Columns))
        {
            throw new FormatException($"not a training history TSV: the header must be '{string.Join("<TAB>", Columns)}'");
        }
        var history = new TrainingHistory();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }
            var c = lines[n].Split('\t');
            if (c.Length != Columns.Length)
            {
                throw new FormatException($"training history line {n + 1}: {c.Length} cells, expected {Columns.Length}");
            }
            try
            {
                history.Add(new TrainingProgress
                {
                    Phase = int.Parse(c[0], CultureInfo.InvariantCulture),
                    PhaseCount = int.Parse(c[1], CultureInfo.InvariantCulture),
                    PhaseName = c[2],
                    Epoch = int.Parse(c[3], CultureInfo.InvariantCulture),
                    EpochInPhase = int.Parse(c[4], CultureInfo.InvariantCulture),
                    EpochsInPhase = int.Parse(c[5], CultureInfo.InvariantCulture),
                    TrainLoss = double.Parse(c[6], CultureInfo.InvariantCulture),
                    ValidationLoss = OptionalReal(c[7]),
                    MetricName = c[8].Length == 0 ? null : c[8],
                    TrainMetric = OptionalReal(c[9]),
                    ValidationMetric = OptionalReal(c[10]),
                    Seconds = double.Parse(c[11], CultureInfo.InvariantCulture),
                    EstimatedRemaining = TimeSpan.ParseExact(c[12], "c", CultureInfo.InvariantCulture),
                    IsBest = c[13] switch { "1" => true, "0" => false, _ => throw new FormatException($"is_best is '{c[13]}', expected 0 or 1") },
                });
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new FormatException($"training history line {n + 1}: {e.Message}", e);
            }
        }
        return history;

        static double? OptionalReal(string cell) => cell.Length == 0 ? null : double.Parse(cell, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Writes the learning curve as a PNG: training and validation loss against epoch (log scale when the losses span
    /// more than a decade), the metric in a lower panel when one was tracked, a dashed line at each phase boundary and
    /// a marker on the best epoch. The file is written to a temporary name beside <paramref name="path"/> and then moved
    /// into place, so a reader never sees half a PNG.
    /// </summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="InvalidOperationException">The history has no epochs.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a folder.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small for the axes and labels.</exception>
    public void SavePlot(string path, int width = 900, int height = 560)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        if (_epochs.Count == 0)
        {
            throw new InvalidOperationException("the training history has no epochs to plot");
        }
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"'{path}' is a folder, not a PNG file path", nameof(path));
        }
        string folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot save the learning curve to '{path}': the folder '{folder}' does not exist");
        }

        byte[] png = LearningCurvePlot.Render(this, width, height);
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, png);
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
