using System.Runtime.InteropServices;

namespace Xai4Mri.Cli;

/// <summary>
/// Where a command writes and how it is interrupted: stdout for results (TSV, JSON, reports), stderr for progress and
/// errors, whether stderr is a terminal (redrawn progress bars) or a file or pipe (plain lines), and the signal that
/// asks long work to stop (Ctrl+C on a console, a token in tests).
/// </summary>
public sealed class CliIo
{
    private readonly bool _console;

    /// <summary>Writers for in-process use (tests): progress as plain lines, cancelled only through <paramref name="cancel"/>.</summary>
    public CliIo(TextWriter stdout, TextWriter stderr, bool interactive = false, int width = 100, CancellationToken cancel = default)
        : this(stdout, stderr, interactive, width, cancel, console: false)
    {
    }

    private CliIo(TextWriter stdout, TextWriter stderr, bool interactive, int width, CancellationToken cancel, bool console)
    {
        Out = stdout;
        // Progress (from worker threads), the cancel notice (from the signal thread) and errors share stderr.
        Err = TextWriter.Synchronized(stderr);
        Interactive = interactive;
        Width = Math.Max(40, width);
        Cancel = cancel;
        _console = console;
    }

    /// <summary>The process's console: bars when stderr is a terminal, Ctrl+C cancels long work.</summary>
    public static CliIo ForConsole()
    {
        bool terminal = !Console.IsErrorRedirected;
        int width = 100;
        if (terminal)
        {
            try
            {
                width = Console.WindowWidth > 0 ? Console.WindowWidth : width;
            }
            catch (IOException)
            {
            }
        }
        return new CliIo(Console.Out, Console.Error, terminal, width, CancellationToken.None, console: true);
    }

    /// <summary>Results: tables, JSON, reports, summaries.</summary>
    public TextWriter Out { get; }

    /// <summary>Progress, notices and errors.</summary>
    public TextWriter Err { get; }

    /// <summary>True when stderr is a terminal: progress bars redraw one line with a carriage return.</summary>
    public bool Interactive { get; }

    /// <summary>Columns available for help text and progress bars.</summary>
    public int Width { get; }

    /// <summary>Requests cancellation without a console (tests).</summary>
    public CancellationToken Cancel { get; }

    /// <summary>A progress display on stderr (see <see cref="ProgressBar"/>).</summary>
    internal ProgressBar Progress(string label, int total, string unit) => new(Err, Interactive, label, total, unit, Width);

    /// <summary>
    /// While the returned object lives, the first Ctrl+C or SIGTERM (what <c>kill</c>, a job scheduler or a container
    /// stop sends; or <see cref="Cancel"/>) prints one notice and calls <paramref name="stop"/> instead of killing the
    /// process; the work should then end with <see cref="OperationCanceledException"/>, which <see cref="CliApp.Guard"/>
    /// turns into exit code 130. A second one is left to the runtime, which ends the process at once (also 130 from a
    /// shell after Ctrl+C).
    /// </summary>
    internal IDisposable OnCancel(string command, Action stop)
    {
        int requested = 0;
        // The notice names the signal that came, so that a log of a killed job says why it stopped.
        void Request(string signal)
        {
            if (Interlocked.Exchange(ref requested, 1) == 0)
            {
                Err.WriteLine($"{(Interactive ? Environment.NewLine : "")}xai4mri {command}: {(signal == "SIGTERM" ? "SIGTERM: " : "")}cancelling after the current step ({signal} again to stop at once)");
                stop();
            }
        }
        ConsoleCancelEventHandler? handler = null;
        PosixSignalRegistration? terminate = null;
        if (_console)
        {
            handler = (_, e) =>
            {
                if (Volatile.Read(ref requested) == 0)
                {
                    e.Cancel = true;
                    Request("Ctrl+C");
                }
            };
            Console.CancelKeyPress += handler;
            terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                if (Volatile.Read(ref requested) == 0)
                {
                    context.Cancel = true;
                    Request("SIGTERM");
                }
            });
        }
        var registration = Cancel.Register(() => Request("Ctrl+C"));
        return new Unsubscribe(() =>
        {
            if (handler is not null)
            {
                Console.CancelKeyPress -= handler;
            }
            terminate?.Dispose();
            registration.Dispose();
        });
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
