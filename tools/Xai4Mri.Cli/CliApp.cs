using System.CommandLine;
using Xai4Mri.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.Cli;

/// <summary>The <c>xai4mri</c> command line: builds the command tree and runs it against the given writers.</summary>
public static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when an input file cannot be read or an output folder cannot be used (one line on stderr names it and the problem).</summary>
    public const int ExitBadInput = 1;

    /// <summary>Exit code for a malformed command line.</summary>
    public const int ExitUsage = 2;

    /// <summary>Parses <paramref name="args"/> and runs the chosen command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("xai4mri: transfer learning for 3-D brain MRI with ML.NET (Xai4Mri.ML)")
        {
            InfoCommand.Create(stdout, stderr),
            PredictCommand.Create(stdout, stderr),
            ModelInfoCommand.Create(stdout, stderr),
            SynthCommand.Create(stdout, stderr),
            TrainCommand.Create(stdout, stderr),
            AnalyzeCommand.Create(stdout, stderr),
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine($"xai4mri: {error.Message}");
            }
            stderr.WriteLine("Run 'xai4mri --help' for usage.");
            return ExitUsage;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>
    /// Runs a command's work and turns the library's documented exceptions into one stderr line and an exit code:
    /// bad arguments (ArgumentException) exit 2, unreadable or unusable inputs exit 1.
    /// </summary>
    internal static int Guard(string command, TextWriter stderr, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"xai4mri {command}: {e.Message}");
            return ExitUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NiftiFormatException or ModelFormatException or DatasetException or InvalidOperationException)
        {
            stderr.WriteLine($"xai4mri {command}: {e.Message}");
            return ExitBadInput;
        }
    }
}
