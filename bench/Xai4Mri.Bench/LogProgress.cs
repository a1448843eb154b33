using Xai4Mri.ML.Training;

namespace Xai4Mri.Bench;

/// <summary>Writes each epoch's report to the benchmark's log as it happens (Progress&lt;T&gt; would post it to the thread pool, out of order).</summary>
internal sealed class LogProgress(Action<string> log, string prefix) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => log($"{prefix}{value}");
}
