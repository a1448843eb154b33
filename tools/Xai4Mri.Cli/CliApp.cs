using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;

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

    /// <summary>Exit code when the work was cancelled (Ctrl+C or SIGTERM): 128 + SIGINT, what shells report for an interrupted command.</summary>
    public const int ExitCancelled = 130;

    /// <summary>The tool's version: the package version (and commit) from the assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Parses <paramref name="args"/> and runs the chosen command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, new CliIo(stdout, stderr));

    /// <summary>Parses <paramref name="args"/> and runs the chosen command with <paramref name="io"/>; returns the process exit code.</summary>
    public static int Run(string[] args, CliIo io)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(io);
        var root = CreateRootCommand(io);
        ParseResult parsed = root.Parse(args);
        if (parsed.Action is HelpWithExamples or PrintVersion && !UnknownCommand(parsed))
        {
            // --help and --version win over other errors on the line (e.g. a missing required option), but not over
            // a misspelt command: its help would be the root's, and exit 0 would tell a script the command exists.
            return parsed.Invoke(Invocation(io));
        }
        if (parsed.Errors.Count > 0 || UnknownOptions(parsed).Any() || UnknownCommand(parsed))
        {
            io.Err.WriteLine(UsageError(parsed));
            return ExitUsage;
        }
        return parsed.Invoke(Invocation(io));
    }

    /// <summary>A word at the root that names no command (<c>xai4mri frob --help</c>).</summary>
    private static bool UnknownCommand(ParseResult parsed) => RootWords(parsed).Any();

    /// <summary>The words left at the root, which takes none: unknown commands.</summary>
    private static IEnumerable<string> RootWords(ParseResult parsed) => parsed.CommandResult.Command is RootCommand
        ? parsed.Tokens.Where(token => token.Type == TokenType.Argument).Select(token => token.Value)
        : [];

    /// <summary>The command tree: every command with its options, help (with examples) and version.</summary>
    public static RootCommand CreateRootCommand(CliIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var root = new RootCommand("xai4mri: transfer learning for 3-D brain MRI with ML.NET (Xai4Mri.ML)")
        {
            InfoCommand.Create(io),
            PredictCommand.Create(io),
            ModelInfoCommand.Create(io),
            SynthCommand.Create(io),
            TrainCommand.Create(io),
            AnalyzeCommand.Create(io),
            PrepareCommand.Create(io),
            BrainExtractCommand.Create(io),
            ExplainCommand.Create(io),
        };
        // In-process (tests) the executable is the test host; help names the tool as it is installed.
        root.HelpName = "xai4mri";
        foreach (var option in root.Options)
        {
            switch (option)
            {
                case HelpOption help:
                    help.Action = new HelpWithExamples((HelpAction)help.Action!, io.Width);
                    break;
                case VersionOption version:
                    // The built-in action prints the entry assembly's version, which in-process is the host's.
                    version.Action = new PrintVersion();
                    break;
            }
        }
        return root;
    }

    private static InvocationConfiguration Invocation(CliIo io) => new()
    {
        Output = io.Out,
        Error = io.Err,
        // Ctrl+C is ours (CliIo.OnCancel): System.CommandLine's handler only serves asynchronous actions and would end
        // a synchronous training step after its timeout instead of letting the trainer stop cleanly.
        ProcessTerminationTimeout = null,
    };

    /// <summary>
    /// One line: what is wrong, naming the unknown option, command or argument (with the nearest known option when one
    /// is close), and where help is.
    /// </summary>
    internal static string UsageError(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        string name = command is RootCommand ? "xai4mri" : $"xai4mri {command.Name}";
        IEnumerable<string> problems;
        // With --help on the line the parser reports no error for a word at the root, so it is named here.
        var unknown = UnknownOptions(parsed).Concat(parsed.UnmatchedTokens).Concat(RootWords(parsed)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            // The unknown words come first: a misspelt option also makes its value unexpected and may hide a required one.
            problems = unknown.Select(token => token.StartsWith('-')
                ? $"unknown option '{token}'{Suggestion(command, token)}"
                : command is RootCommand ? $"unknown command '{token}'" : $"unexpected argument '{token}'");
        }
        else if (command is RootCommand && parsed.Tokens.Count == 0)
        {
            problems = [$"a command is needed ({string.Join(", ", command.Subcommands.Select(c => c.Name))})"];
        }
        else
        {
            problems = parsed.Errors.Select(Describe);
        }
        return $"{name}: {string.Join("; ", problems.Distinct())}. Run '{name} --help' for usage.";
    }

    /// <summary>A parse error on one line, led by the option it concerns when the message does not name it.</summary>
    private static string Describe(ParseError error)
    {
        string message = string.Join(' ', error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        return option is null || message.Contains(option.Name, StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
    }

    /// <summary>
    /// Words that look like options but are none: System.CommandLine takes an unknown <c>--jsn</c> as the value of a
    /// command's argument (<c>info --jsn a.nii</c> would read a file named "--jsn"). Negative numbers are values.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parsed) =>
        parsed.Tokens.Where(t => t.Type == TokenType.Argument && t.Value.Length > 1 && t.Value[0] == '-' && (char.IsLetter(t.Value[1]) || t.Value[1] == '-'))
            .Select(t => t.Value);

    /// <summary>" (did you mean '--epochs'?)" for the known option nearest to a misspelt one, if it is close.</summary>
    private static string Suggestion(Command command, string token)
    {
        string bare = token.Split('=', 2)[0];
        var best = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)))
            .SelectMany(o => o.Aliases.Append(o.Name))
            .Where(n => n.StartsWith("--", StringComparison.Ordinal))
            .Select(n => (Name: n, Distance: Levenshtein(bare, n)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, bare.Length / 4) ? $" (did you mean '{best.Name}'?)" : "";
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>
    /// Runs a command's work and turns the library's documented exceptions into one stderr line and an exit code:
    /// bad arguments (ArgumentException) exit 2, unreadable or unusable inputs exit 1, cancellation (Ctrl+C) 130.
    /// ML.NET wraps what fails inside its parallel cursors ("Splitter/consolidator worker encountered exception ..."):
    /// the wrapped input error or cancellation is what the line reports.
    /// </summary>
    internal static int Guard(string command, TextWriter stderr, Func<int> work, string? cancelled = null)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (Cause(e) is OperationCanceledException)
        {
            stderr.WriteLine($"xai4mri {command}: cancelled{(cancelled is null ? "" : $"; {cancelled}")}");
            return ExitCancelled;
        }
        catch (Exception e) when (Cause(e) is ArgumentException)
        {
            stderr.WriteLine($"xai4mri {command}: {Cause(e).Message}");
            return ExitUsage;
        }
        catch (Exception e) when (Cause(e) is IOException or UnauthorizedAccessException or ImageFormatException or ModelFormatException or DatasetException or InvalidOperationException)
        {
            stderr.WriteLine($"xai4mri {command}: {Cause(e).Message.Split('\n')[0].TrimEnd()}");
            return ExitBadInput;
        }
    }

    /// <summary>
    /// The first input error or cancellation on the chain from <paramref name="e"/> through its inner exceptions (the
    /// library's own message, not a wrapper's), else <paramref name="e"/> itself.
    /// </summary>
    private static Exception Cause(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            // A usage error counts only as thrown: wrapped by ML.NET it came from the data, which makes it an input error.
            if (x is OperationCanceledException or IOException or UnauthorizedAccessException or ImageFormatException or ModelFormatException or DatasetException
                || (x == e && x is ArgumentException))
            {
                return x;
            }
        }
        return e;
    }

    /// <summary>System.CommandLine's help (description, usage, options with defaults), then examples and exit codes.</summary>
    private sealed class HelpWithExamples : SynchronousCommandLineAction
    {
        private readonly HelpAction _help;

        public HelpWithExamples(HelpAction help, int width)
        {
            _help = help;
            _help.MaxWidth = width;
        }

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            _help.Invoke(parseResult);
            HelpText.Write(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return ExitOk;
        }
    }

    /// <summary>Prints <see cref="Version"/> to stdout.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitOk;
        }
    }
}
