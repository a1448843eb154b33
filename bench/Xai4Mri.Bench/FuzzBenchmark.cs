using System.Diagnostics;
using System.Globalization;
using Xai4Mri.ML.Tests.Nifti;

namespace Xai4Mri.Bench;

/// <summary>
/// The test suite's mutation fuzzing (<see cref="ImageFuzzer"/>: real fixtures damaged at random, read by
/// <c>MriImage</c> and conformed by <c>LoadNifti</c>) run for many more cases: counts per outcome (read, or the
/// exception type), every undocumented outcome, time per case and the process's peak memory.
/// </summary>
internal static class FuzzBenchmark
{
    public static int Run(string[] args)
    {
        int cases = 10_000, seed = 20261204;
        string fixtures = Path.Combine("Xai4Mri.ML.Tests", "Fixtures");
        double hangSeconds = 10;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cases": cases = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fixtures": fixtures = args[++i]; break;
                case "--hang-seconds": hangSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"fuzz: unknown argument '{args[i]}'");
                    return 2;
            }
        }
        string scratch = Path.Combine(Path.GetTempPath(), $"xai4mri-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            var fuzzer = new ImageFuzzer(fixtures, scratch);
            var rng = new Random(seed);
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var perSource = new SortedDictionary<string, (int Read, int Rejected)>(StringComparer.Ordinal);
            var findings = new List<string>();
            var times = new List<double>(cases);
            int hangs = 0;
            var total = Stopwatch.StartNew();
            for (int i = 0; i < cases; i++)
            {
                int index = i;
                // Its own task, so that a case that never ends is counted as a hang and the run goes on.
                var task = Task.Run(() => fuzzer.Run(index, rng));
                if (!task.Wait(TimeSpan.FromSeconds(hangSeconds)))
                {
                    hangs++;
                    findings.Add($"#{index}: no result after {hangSeconds} s (hang)");
                    continue;
                }
                var outcome = task.Result;
                string key = outcome.Error is null ? "read and conformed" : outcome.Error.GetType().Name;
                counts[key] = counts.GetValueOrDefault(key) + 1;
                times.Add(outcome.Elapsed.TotalMilliseconds);
                var (read, rejected) = perSource.GetValueOrDefault(outcome.Source);
                perSource[outcome.Source] = outcome.Error is null ? (read + 1, rejected) : (read, rejected + 1);
                if (!outcome.IsDocumented)
                {
                    findings.Add($"{outcome.Label}: {outcome.Problem ?? $"{outcome.Error!.GetType().Name}: {outcome.Error.Message}"}");
                }
            }
            total.Stop();
            times.Sort();
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"fuzz: {cases} cases (seed {seed}) over {fuzzer.SourceCount} fixtures in {total.Elapsed.TotalSeconds:F1} s, {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("| outcome | cases |");
            Console.WriteLine("|---|---|");
            foreach (var (key, count) in counts)
            {
                Console.WriteLine($"| {key} | {count} |");
            }
            Console.WriteLine($"| hang (over {hangSeconds.ToString(inv)} s) | {hangs} |");
            Console.WriteLine();
            Console.WriteLine("| fixture | read and conformed | rejected |");
            Console.WriteLine("|---|---|---|");
            foreach (var (source, (read, rejected)) in perSource)
            {
                Console.WriteLine($"| {source} | {read} | {rejected} |");
            }
            Console.WriteLine();
            if (times.Count > 0)
            {
                Console.WriteLine(string.Create(inv, $"time per case: median {times[times.Count / 2]:F1} ms, 99th percentile {times[(int)(0.99 * (times.Count - 1))]:F1} ms, max {times[^1]:F1} ms"));
            }
            Console.WriteLine(string.Create(inv, $"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB"));
            Console.WriteLine($"undocumented outcomes: {findings.Count}");
            foreach (string finding in findings.Take(20))
            {
                Console.WriteLine($"  {finding}");
            }
            return findings.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
