using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Xai4Mri.Cli;

/// <summary>
/// Progress of long work on stderr. On a terminal, one line redrawn with a carriage return:
/// <c>label [########------------] 8/20 subjects 40% ETA 0:12 detail</c>; messages (<see cref="Message"/>) are printed
/// above it and stay. When stderr is a file or a pipe, plain lines instead, so logs stay readable: one per tenth of the
/// work (or every step with <c>plainEvery: 1</c>), and each message as it comes. With an unknown total (0) the bar
/// shows the step count and the elapsed time.
/// </summary>
internal sealed class ProgressBar : IDisposable
{
    private const int BarWidth = 24;
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly string _unit;
    private readonly int _width;
    private readonly TimeSpan _redrawInterval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private int _total;
    private int _plainStep;
    private int _lastPlain = -1;
    private int _drawnLength;
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private string? _lastLine;

    /// <param name="writer">stderr.</param>
    /// <param name="interactive">True for a terminal (redrawn bar); false for plain lines.</param>
    /// <param name="label">Shown first, e.g. "synth" or "phase 1/2".</param>
    /// <param name="total">Steps of the whole work; 0 when unknown.</param>
    /// <param name="unit">What a step is, e.g. "subjects", "files", "epochs".</param>
    /// <param name="width">Terminal columns; a bar line is cut to fit, so the carriage return can redraw it.</param>
    /// <param name="redrawInterval">Least time between two redraws of the bar (the last step is always drawn). Default 0.1 s.</param>
    public ProgressBar(TextWriter writer, bool interactive, string label, int total, string unit, int width = 100, TimeSpan? redrawInterval = null)
    {
        _writer = writer;
        _interactive = interactive;
        _unit = unit;
        _width = Math.Max(40, width);
        _redrawInterval = redrawInterval ?? TimeSpan.FromSeconds(0.1);
        Restart(label, total);
    }

    /// <summary>Plain mode: print a line every this many steps (default: a tenth of the total).</summary>
    public int PlainEvery
    {
        get => _plainStep;
        set => _plainStep = Math.Max(1, value);
    }

    /// <summary>The label this bar currently shows.</summary>
    public string Label { get; private set; } = "";

    /// <summary>Starts over with a new label and total (e.g. the next training phase); a drawn bar is finished first.</summary>
    public void Restart(string label, int total)
    {
        lock (_lock)
        {
            EndLine();
            Label = label;
            _total = Math.Max(0, total);
            _plainStep = Math.Max(1, (int)Math.Ceiling(_total / 10.0));
            _lastPlain = -1;
            _lastDraw = TimeSpan.MinValue;
            _clock.Restart();
        }
    }

    /// <summary>
    /// <paramref name="done"/> of the total steps are finished. <paramref name="remaining"/> overrides the estimate
    /// from the rate so far (e.g. the trainer's own ETA); <paramref name="detail"/> ends the line.
    /// </summary>
    public void Report(int done, string? detail = null, TimeSpan? remaining = null)
    {
        lock (_lock)
        {
            bool last = _total > 0 && done >= _total;
            TimeSpan? eta = remaining ?? Estimate(done);
            if (_interactive)
            {
                var now = _clock.Elapsed;
                if (last || done <= 1 || now - _lastDraw >= _redrawInterval)
                {
                    _lastDraw = now;
                    Draw(BarLine(done, eta, detail));
                }
            }
            else if (done != _lastPlain && (last || done % _plainStep == 0))
            {
                _lastPlain = done;
                _writer.WriteLine(PlainLine(done, eta, detail));
            }
        }
    }

    /// <summary>A line that stays: printed above the bar on a terminal, as it is otherwise.</summary>
    public void Message(string line)
    {
        lock (_lock)
        {
            if (_interactive && _drawnLength > 0)
            {
                _writer.Write('\r' + new string(' ', _drawnLength) + '\r');
                _writer.WriteLine(line);
                _writer.Write(_lastLine);
                _writer.Flush();
            }
            else
            {
                _writer.WriteLine(line);
            }
        }
    }

    /// <summary>Ends a drawn bar's line, so what follows starts on a fresh one.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            EndLine();
        }
    }

    private void EndLine()
    {
        if (_interactive && _drawnLength > 0)
        {
            _writer.WriteLine();
            _writer.Flush();
        }
        _drawnLength = 0;
        _lastLine = null;
    }

    private void Draw(string line)
    {
        if (line.Length > _width - 1)
        {
            line = line[..(_width - 1)];
        }
        var text = new StringBuilder().Append('\r').Append(line);
        if (line.Length < _drawnLength)
        {
            text.Append(' ', _drawnLength - line.Length).Append('\r').Append(line);
        }
        _writer.Write(text.ToString());
        _writer.Flush();
        _drawnLength = line.Length;
        _lastLine = "\r" + line;
    }

    private TimeSpan? Estimate(int done) =>
        _total > 0 && done > 0 && done < _total ? _clock.Elapsed * ((_total - done) / (double)done) : null;

    internal string BarLine(int done, TimeSpan? eta, string? detail)
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder(Label);
        if (_total > 0)
        {
            int filled = (int)Math.Round(BarWidth * Math.Clamp(done / (double)_total, 0, 1));
            line.Append(" [").Append('#', filled).Append('-', BarWidth - filled).Append(c, $"] {done}/{_total} {_unit} {100.0 * done / _total:0}%");
        }
        else
        {
            line.Append(c, $" {done} {_unit}, {Duration(_clock.Elapsed)} elapsed");
        }
        if (eta is { } e && (_total == 0 || done < _total))
        {
            line.Append(" ETA ").Append(Duration(e));
        }
        if (!string.IsNullOrEmpty(detail))
        {
            line.Append("  ").Append(detail);
        }
        return line.ToString();
    }

    internal string PlainLine(int done, TimeSpan? eta, string? detail)
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder(Label);
        line.Append(_total > 0 ? string.Create(c, $" {done}/{_total} {_unit} ({100.0 * done / _total:0}%)") : string.Create(c, $" {done} {_unit}"));
        if (eta is { } e && (_total == 0 || done < _total))
        {
            line.Append(", ETA ").Append(Duration(e));
        }
        if (!string.IsNullOrEmpty(detail))
        {
            line.Append(": ").Append(detail);
        }
        return line.ToString();
    }

    /// <summary>m:ss, or h:mm:ss from an hour on.</summary>
    internal static string Duration(TimeSpan span)
    {
        long seconds = (long)Math.Round(Math.Max(0, span.TotalSeconds));
        long hours = seconds / 3600, minutes = seconds / 60 % 60, rest = seconds % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{rest:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{rest:00}");
    }
}
