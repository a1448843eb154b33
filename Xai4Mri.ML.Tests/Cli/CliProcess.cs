using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// <c>dotnet xai4mri.dll COMMAND ...</c> in its own process. Its stdout and stderr are read concurrently as lines, so
/// neither pipe can fill up and stall it and nothing depends on how the two streams interleave; every wait is for
/// a condition, bounded only so that a hang fails the test instead of blocking the run.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private bool _errorClosed;

    private CliProcess(Process process) => _process = process;

    /// <summary>Starts the command; <paramref name="environment"/> adds or replaces variables of the child's environment.</summary>
    public static CliProcess Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        foreach (string arg in args.Prepend(Path.Combine(AppContext.BaseDirectory, "xai4mri.dll")))
        {
            psi.ArgumentList.Add(arg);
        }
        var child = new CliProcess(new Process { StartInfo = psi });
        child._process.OutputDataReceived += (_, e) => child.Add(e.Data, "stdout: ");
        child._process.ErrorDataReceived += (_, e) => child.Add(e.Data, null);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Everything read so far: stderr lines as they are, stdout lines prefixed with "stdout: ".</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join("\n", _lines);
            }
        }
    }

    /// <summary>Waits until a stderr line contains <paramref name="text"/> (true) or stderr ends without one (false).</summary>
    public bool WaitForErrorLine(string text)
    {
        var deadline = DateTime.UtcNow + Hang;
        lock (_gate)
        {
            while (!_lines.Any(l => !l.StartsWith("stdout: ", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal)))
            {
                if (_errorClosed)
                {
                    return false;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    Assert.Fail($"no stderr line with '{text}' after {Hang}; the process seems to hang:\n{string.Join("\n", _lines)}");
                }
                Monitor.Wait(_gate, left);
            }
            return true;
        }
    }

    /// <summary>Sends SIGINT, what Ctrl+C sends.</summary>
    public void Interrupt()
    {
        if (SendSignal(_process.Id, 2) != 0)
        {
            Assert.Fail($"kill(SIGINT) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Sends SIGTERM, what <c>kill</c>, a job scheduler or a container stop sends.</summary>
    public void Terminate()
    {
        if (SendSignal(_process.Id, 15) != 0)
        {
            Assert.Fail($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Kills the process without warning and returns what it wrote.</summary>
    public string Kill()
    {
        _process.Kill(entireProcessTree: true);
        return WaitForExit().Output;
    }

    /// <summary>Waits for the process to end and all its output to be read.</summary>
    public (int Code, string Output) WaitForExit()
    {
        if (!_process.WaitForExit(Hang))
        {
            Assert.Fail($"the process did not end within {Hang}:\n{Output}");
        }
        _process.WaitForExit();
        return (_process.ExitCode, Output);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Add(string? line, string? prefix)
    {
        lock (_gate)
        {
            if (line is not null)
            {
                _lines.Add(prefix + line);
            }
            else if (prefix is null)
            {
                _errorClosed = true;
            }
            Monitor.PulseAll(_gate);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
