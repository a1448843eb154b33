using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

/// <summary>
/// Training progress on the console: one line per fit that updates with every epoch, or, when the output is
/// redirected, the last state of each fit as a plain line (so that logs stay readable). Early stopping ends a fit
/// without a "last epoch" report, so a line is closed when the next fit starts or <see cref="Finish"/> is called.
/// </summary>

internal sealed class EpochProgress(string label) : IProgress<TrainingProgress>
{
    private int _fit;
    private string? _open;

    public void Report(TrainingProgress value)
    {
        if (value.Epoch == 1)
        {
            Finish();
            _fit++;
        }
        _open = $"    {label} {_fit}: phase {value.Phase}/{value.PhaseCount} epoch {value.EpochInPhase}/{value.EpochsInPhase}, train MAE {value.TrainMetric:F1}"
            + (value.ValidationMetric is { } v ? $", validation MAE {v:F1}" : "")
            + $", {value.Seconds:F1} s/epoch";
        if (!Console.IsOutputRedirected)
        {
            Console.Write($"\r{_open,-100}");
        }
    }

    /// <summary>Ends the open line of the last fit.</summary>
    public void Finish()
    {
        if (_open is null)
        {
            return;
        }
        Console.WriteLine(Console.IsOutputRedirected ? _open : "");
        _open = null;
    }
}
