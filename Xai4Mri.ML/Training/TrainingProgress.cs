using System.Globalization;

namespace Xai4Mri.ML.Training;

/// <summary>What one finished training epoch reports: losses, the task metric, timing and whether it is the best so far.</summary>
public sealed record TrainingProgress
{
    /// <summary>The phase this epoch belongs to, 1-based: phase 1 trains all layers, phase 2 (dual training) the dense layers only.</summary>
    public required int Phase { get; init; }

    /// <summary>How many phases the run has (1 for mono or frozen training, 2 for dual training).</summary>
    public required int PhaseCount { get; init; }

    /// <summary>What the phase trains, for people: "all layers", "dense layers only", "head only".</summary>
    public required string PhaseName { get; init; }

    /// <summary>The epoch's number within the whole run, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>The epoch's number within its phase, 1-based.</summary>
    public required int EpochInPhase { get; init; }

    /// <summary>How many epochs the phase was planned to have (early stopping may end it sooner).</summary>
    public required int EpochsInPhase { get; init; }

    /// <summary>Mean training loss over the epoch's batches.</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Loss on the validation set after the epoch; null when the run has no validation set.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>The task metric's name, such as "MAE" for regression or "accuracy" for classification; null when none is tracked.</summary>
    public string? MetricName { get; init; }

    /// <summary>The metric on the training set; null when it was not computed.</summary>
    public double? TrainMetric { get; init; }

    /// <summary>The metric on the validation set; null when it was not computed.</summary>
    public double? ValidationMetric { get; init; }

    /// <summary>Wall-clock seconds this epoch took (training and validation).</summary>
    public required double Seconds { get; init; }

    /// <summary>Estimated time until the run's planned epochs are done.</summary>
    public required TimeSpan EstimatedRemaining { get; init; }

    /// <summary>True when this epoch has the lowest validation loss so far (the training loss when there is no validation set).</summary>
    public bool IsBest { get; init; }

    /// <summary>
    /// One log line, in invariant culture, e.g.
    /// <c>phase 1/2 (all layers) epoch 3/20: loss 12.41, val loss 14.02, val MAE 3.10 — 2.1 s/epoch, ETA 0:38 *best*</c>.
    /// The epoch counts are within the phase, because that is what the ETA and early stopping refer to.
    /// </summary>
    public override string ToString()
    {
        var line = new System.Text.StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"phase {Phase}/{PhaseCount} ({PhaseName}) epoch {EpochInPhase}/{EpochsInPhase}: loss {FormatValue(TrainLoss)}");
        if (MetricName is not null && TrainMetric is double trainMetric)
        {
            line.Append(CultureInfo.InvariantCulture, $", {MetricName} {FormatValue(trainMetric)}");
        }
        if (ValidationLoss is double validationLoss)
        {
            line.Append(CultureInfo.InvariantCulture, $", val loss {FormatValue(validationLoss)}");
        }
        if (MetricName is not null && ValidationMetric is double validationMetric)
        {
            line.Append(CultureInfo.InvariantCulture, $", val {MetricName} {FormatValue(validationMetric)}");
        }
        line.Append(CultureInfo.InvariantCulture, $" — {Seconds.ToString(Seconds < 1 ? "0.00" : "0.0", CultureInfo.InvariantCulture)} s/epoch, ETA {FormatDuration(EstimatedRemaining)}");
        if (IsBest)
        {
            line.Append(" *best*");
        }
        return line.ToString();
    }

    /// <summary>
    /// Two decimals for values of 1 or more (losses in years², MAE in years), three significant digits below, so a
    /// cross-entropy of 0.0123 does not print as 0.01.
    /// </summary>
    internal static string FormatValue(double value) =>
        value.ToString(Math.Abs(value) >= 1 || value == 0 ? "0.00" : "G3", CultureInfo.InvariantCulture);

    /// <summary>m:ss, or h:mm:ss from an hour on, rounded to whole seconds.</summary>
    private static string FormatDuration(TimeSpan duration)
    {
        long seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds));
        long hours = seconds / 3600, minutes = seconds / 60 % 60, rest = seconds % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{rest:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{rest:00}");
    }
}
