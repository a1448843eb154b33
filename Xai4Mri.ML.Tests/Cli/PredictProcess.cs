using System.Diagnostics;
using System.Globalization;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// Runs <c>xai4mri predict</c> in a separate process — a runtime that never saw the training code — so a test can
/// check that a saved model .zip scores exactly as the fitted pipeline did.
/// </summary>
internal static class PredictProcess
{
    /// <summary>The TSV header and rows the command printed for <paramref name="files"/>.</summary>
    public static (string[] Header, List<string[]> Rows) Run(string zip, IEnumerable<string> files, string cacheDirectory)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "xai4mri.dll"), "predict", "--model", zip }.Concat(files))
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["XAI4MRI_CACHE_DIR"] = cacheDirectory;
        using var process = Process.Start(psi)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        return (lines[0].Split('\t'), [.. lines.Skip(1).Select(l => l.Split('\t'))]);
    }

    /// <summary>Asserts that the other process gives every file in <paramref name="scores"/> exactly its score.</summary>
    public static string[] AssertSameScores(string zip, IReadOnlyDictionary<string, float> scores, string cacheDirectory)
    {
        var (header, rows) = Run(zip, scores.Keys, cacheDirectory);
        int path = Array.IndexOf(header, "Path"), score = Array.IndexOf(header, "Score");
        Assert.IsGreaterThanOrEqualTo(0, score, string.Join('\t', header));
        Assert.HasCount(scores.Count, rows);
        foreach (string[] fields in rows)
        {
            Assert.AreEqual(scores[fields[path]], float.Parse(fields[score], CultureInfo.InvariantCulture), fields[path]);
        }
        return header;
    }
}
