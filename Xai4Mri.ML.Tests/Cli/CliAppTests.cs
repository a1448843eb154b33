using System.Reflection;
using System.Text.RegularExpressions;
using Xai4Mri.Cli;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// The command line as a whole: --help for the tool and every command (options, defaults, examples, exit codes),
/// --version, one-line usage errors with exit code 2, and progress on stderr (bars on a terminal, lines otherwise).
/// </summary>
[TestClass]
public sealed class CliAppTests
{
    private static readonly string[] Commands = ["info", "predict", "model-info", "synth", "train", "analyze", "prepare", "brain-extract", "explain"];

    [TestMethod]
    [DataRow("--help")]
    [DataRow("-h")]
    public void TopLevelHelpListsCommandsExamplesAndExitCodes(string flag)
    {
        var (code, stdout, stderr) = CliRunner.Run(flag);

        Assert.AreEqual(0, code, stderr);
        Assert.AreEqual("", stderr);
        StringAssert.Contains(stdout, "Usage:");
        StringAssert.Contains(stdout, "xai4mri [command] [options]");
        foreach (string command in Commands)
        {
            Assert.IsTrue(Regex.IsMatch(stdout, $@"^\s+{Regex.Escape(command)}\b", RegexOptions.Multiline), $"{command} missing:\n{stdout}");
        }
        StringAssert.Contains(stdout, "--version");
        StringAssert.Contains(stdout, "Examples:");
        StringAssert.Contains(stdout, "  xai4mri train --help");
        StringAssert.Contains(stdout, "Exit codes:");
        StringAssert.Contains(stdout, "  130  cancelled with Ctrl+C");
    }

    [TestMethod]
    public void EveryCommandsHelpListsEachOptionWithItsDefaultAndExamples()
    {
        var root = CliApp.CreateRootCommand(new CliIo(TextWriter.Null, TextWriter.Null));
        foreach (string name in Commands)
        {
            var (code, stdout, stderr) = CliRunner.Run(name, "--help");
            Assert.AreEqual(0, code, $"{name}: {stderr}");
            StringAssert.Contains(stdout, $"xai4mri {name}", name);
            var entries = OptionEntries(stdout);
            var command = root.Subcommands.Single(c => c.Name == name);
            foreach (var option in command.Options.Where(o => o.Name != "--help"))
            {
                string? entry = entries.FirstOrDefault(e => Regex.IsMatch(e, $@"(^|[ ,]){Regex.Escape(option.Name)}([ ,<]|$)"));
                Assert.IsNotNull(entry, $"{name} --help lacks {option.Name}:\n{stdout}");
                Assert.IsTrue(option.Required ? entry.Contains("(REQUIRED)", StringComparison.Ordinal) : entry.Contains("default", StringComparison.OrdinalIgnoreCase),
                    $"{name} {option.Name}: no default in help: {entry}");
            }
            int examples = stdout.IndexOf("Examples:", StringComparison.Ordinal);
            Assert.IsGreaterThan(0, examples, $"{name}: no examples\n{stdout}");
            StringAssert.Contains(stdout[examples..], $"  xai4mri {name} ", name);
            StringAssert.Contains(stdout, "Exit codes:", name);
        }
    }

    [TestMethod]
    public void TrainHelpShowsTheTrainersOptionsAndDefaults()
    {
        var (code, stdout, _) = CliRunner.Run("train", "-h");

        Assert.AreEqual(0, code);
        var entries = OptionEntries(stdout);
        string Entry(string option) => entries.Single(e => e.StartsWith(option + " ", StringComparison.Ordinal));
        StringAssert.Contains(Entry("--epochs <N>"), "[default: 20]");
        StringAssert.Contains(Entry("--fine-tune-epochs <N>"), "[default: 10]");
        StringAssert.Contains(Entry("--batch-size <N>"), "[default: 4]");
        StringAssert.Contains(Entry("--validation-fraction <F>"), "[default: 0.1]");
        StringAssert.Contains(Entry("--patience <N>"), "[default: 10]");
        StringAssert.Contains(Entry("--min-delta <D>"), "[default: 0.001]");
        StringAssert.Contains(Entry("--strategy <dual|mono|probe>"), "[default: dual]");
        StringAssert.Contains(Entry("--learning-rate <LR>"), "5e-4");
        StringAssert.Contains(Entry("--fine-tune-learning-rate <LR>"), "default: --learning-rate");
        StringAssert.Contains(Entry("--flip-probability <P>"), "[default: 0]");
        StringAssert.Contains(Entry("--max-shift <VOXELS>"), "[default: 0]");
        StringAssert.Contains(Entry("--intensity-jitter <J>"), "[default: 0]");
        StringAssert.Contains(Entry("--checkpoint <DIR>"), "resumes");
        StringAssert.Contains(Entry("--data <TABLE|BIDS> (REQUIRED)"), "BIDS root");
        StringAssert.Contains(Entry("--model <FILE>"), "default: a fresh MRInet");
    }

    [TestMethod]
    public void HelpWinsOverMissingRequiredOptions()
    {
        // train requires --data, --label and --out; asking for help is not an error.
        var (code, stdout, stderr) = CliRunner.Run("train", "--epochs", "3", "--help");

        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "--out <MODEL.zip> (REQUIRED)");
    }

    [TestMethod]
    public void VersionPrintsTheToolsVersion()
    {
        var (code, stdout, stderr) = CliRunner.Run("--version");

        Assert.AreEqual(0, code, stderr);
        var assembly = typeof(CliApp).Assembly;
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.AreEqual(informational + Environment.NewLine, stdout);
        // The package version (Directory.Build.props <Version>) with the commit, not the fixed AssemblyVersion 1.0.0.0 nor the test host's.
        StringAssert.Matches(stdout, new Regex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9a-f]+)?\r?\n$"));
        Assert.AreNotEqual(assembly.GetName().Version!.ToString() + Environment.NewLine, stdout);
        Assert.AreNotEqual(Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion + Environment.NewLine, stdout);
    }

    [TestMethod]
    [DataRow(new[] { "train", "--epoch", "3" }, "xai4mri train: unknown option '--epoch' (did you mean '--epochs'?)", "xai4mri train --help")]
    [DataRow(new[] { "synth", "--out", "x", "--bogus" }, "xai4mri synth: unknown option '--bogus'", "xai4mri synth --help")]
    [DataRow(new[] { "info", "--jsn", "a.nii" }, "xai4mri info: unknown option '--jsn' (did you mean '--json'?)", "xai4mri info --help")]
    [DataRow(new[] { "info", "--jsn" }, "xai4mri info: unknown option '--jsn' (did you mean '--json'?)", "xai4mri info --help")]
    [DataRow(new[] { "frob" }, "xai4mri: unknown command 'frob'", "xai4mri --help")]
    [DataRow(new[] { "frob", "--help" }, "xai4mri: unknown command 'frob'", "xai4mri --help")]
    [DataRow(new[] { "trian", "--version" }, "xai4mri: unknown command 'trian'", "xai4mri --help")]
    [DataRow(new[] { "--frob" }, "xai4mri: unknown option '--frob'", "xai4mri --help")]
    [DataRow(new string[0], "xai4mri: a command is needed (info, predict, model-info, synth, train, analyze, prepare, brain-extract, explain)", "xai4mri --help")]
    public void UnknownOptionsAndCommandsAreOneLineUsageErrors(string[] args, string expected, string help)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);

        Assert.AreEqual(CliApp.ExitUsage, code, stderr);
        Assert.AreEqual("", stdout);
        Assert.HasCount(1, stderr.TrimEnd().Split('\n'), stderr);
        StringAssert.StartsWith(stderr, expected);
        StringAssert.EndsWith(stderr.TrimEnd(), $"Run '{help}' for usage.");
    }

    [TestMethod]
    public void PredictNeedsFilesOrATableButNotBoth()
    {
        var (code, _, stderr) = CliRunner.Run("predict", "--model", "m.zip");
        Assert.AreEqual(CliApp.ExitUsage, code);
        StringAssert.StartsWith(stderr, "xai4mri predict: give image files or --data TABLE|BIDS.");

        (code, _, stderr) = CliRunner.Run("predict", "--model", "m.zip", "--data", "t.tsv", "a.nii");
        Assert.AreEqual(CliApp.ExitUsage, code);
        StringAssert.StartsWith(stderr, "xai4mri predict: give image files or --data, not both.");
    }

    [TestMethod]
    public void ProgressBarRedrawsOneLineOnATerminal()
    {
        var writer = new StringWriter();
        using (var bar = new ProgressBar(writer, interactive: true, "synth", 4, "subjects", width: 80, redrawInterval: TimeSpan.Zero))
        {
            bar.Report(1);
            bar.Message("a line that stays");
            bar.Report(4, "done");
        }
        string text = writer.ToString();
        string[] frames = text.Split('\r', StringSplitOptions.RemoveEmptyEntries);

        StringAssert.StartsWith(frames[0], "synth [######------------------] 1/4 subjects 25% ETA ");
        StringAssert.Contains(text, "a line that stays" + Environment.NewLine + "\rsynth [######", "the message is printed above the bar, which is redrawn");
        StringAssert.EndsWith(text, "\rsynth [########################] 4/4 subjects 100%  done" + Environment.NewLine, "the finished bar ends its line");
        Assert.IsTrue(frames.All(f => f.TrimEnd('\n', '\r').Length < 80), "cut to the terminal width, so '\\r' can redraw it");
    }

    [TestMethod]
    public void ProgressBarWritesPlainLinesWhenRedirected()
    {
        var writer = new StringWriter { NewLine = "\n" };
        using (var bar = new ProgressBar(writer, interactive: false, "predict", 30, "images"))
        {
            for (int i = 1; i <= 30; i++)
            {
                bar.Report(i);
            }
            bar.Message("note");
        }
        string[] lines = writer.ToString().TrimEnd('\n').Split('\n');

        Assert.DoesNotContain("\r", writer.ToString());
        Assert.HasCount(11, lines, writer.ToString());
        StringAssert.StartsWith(lines[0], "predict 3/30 images (10%), ETA ");
        Assert.AreEqual("predict 30/30 images (100%)", lines[9]);
        Assert.AreEqual("note", lines[10]);
    }

    [TestMethod]
    public void CancelledSynthExitsWith130()
    {
        using var dir = TestPaths.Scratch();
        using var cancel = new CancellationTokenSource();
        var stderr = new TriggerWriter("synth 4/40", cancel.Cancel);
        var stdout = new StringWriter();

        int code = CliApp.Run(["synth", "--out", dir.File("cohort"), "--subjects", "40", "--voxel-size", "16"], new CliIo(stdout, stderr, cancel: cancel.Token));

        Assert.AreEqual(CliApp.ExitCancelled, code, stderr.ToString());
        StringAssert.Contains(stderr.ToString(), "xai4mri synth: cancelled; the files written so far stay");
        Assert.DoesNotContain("synth 40/40", stderr.ToString());
        Assert.AreEqual("", stdout.ToString());
    }

    /// <summary>The option entries of a help text: a line starting with "  -" and its indented continuation lines, joined.</summary>
    private static List<string> OptionEntries(string help)
    {
        var entries = new List<string>();
        bool inOptions = false;
        foreach (string raw in help.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line == "Options:")
            {
                inOptions = true;
                continue;
            }
            if (!inOptions)
            {
                continue;
            }
            if (line.StartsWith("  -", StringComparison.Ordinal))
            {
                entries.Add(line.Trim());
            }
            else if (line.StartsWith("      ", StringComparison.Ordinal) && entries.Count > 0)
            {
                entries[^1] += " " + line.Trim();
            }
            else
            {
                inOptions = false;
            }
        }
        return entries;
    }
}
