using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri prepare --data TABLE|BIDS --cache DIR --shard I/N [...]</c>: decodes one shard of a study into a shared
/// volume cache (one task of a cluster array job), and with <c>--verify</c> checks every subject's entries and merges
/// the loader's fit from the shards, so that <c>train</c> and <c>analyze</c> then decode no file.
/// </summary>
internal static class PrepareCommand
{
    public static Command Create(CliIo io)
    {
        var data = new Option<string>("--data") { Description = "A participants.tsv (with --path-template) or a BIDS root folder", Required = true, HelpName = "TABLE|BIDS" };
        var cache = new Option<string>("--cache") { Description = "The shared volume cache folder (the one train and analyze get with --cache)", Required = true, HelpName = "DIR" };
        var shard = new Option<string>("--shard") { Description = "This task's shard I of N, 0-based (SLURM: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)", DefaultValueFactory = _ => "0/1", HelpName = "I/N" };
        var verify = new Option<bool>("--verify") { Description = "Check every subject's entries instead of preparing (exit 1 when any is missing or damaged), and merge the loader's fit from the shards (default: off, prepare)" };
        var model = new Option<string?>("--model") { Description = "The model the data are for: images are conformed as it expects, as train and analyze do (default: none; conform by the options below)", HelpName = "FILE" };
        var voxel = new Option<double?>("--voxel-size") { Description = "Resample to this isotropic voxel size in mm (default: the model's, else keep the images')", HelpName = "MM" };
        var shape = new Option<string?>("--shape") { Description = "Conformed input DxHxW (default: the model's, else learned from the data)", HelpName = "DxHxW" };
        var template = new Option<string?>("--path-template") { Description = $"Image path per row of a TSV, relative to its folder (default {StudyInput.DefaultTemplate})", HelpName = "TEMPLATE" };
        var suffix = new Option<string>("--suffix") { Description = "BIDS image suffix", DefaultValueFactory = _ => "T1w", HelpName = "SUFFIX" };
        shard.Validators.Add(r =>
        {
            if (ParseShard(r.GetValueOrDefault<string>()) is null)
            {
                r.AddError("--shard must be I/N with 0 <= I < N, e.g. 3/8");
            }
        });
        shape.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } s && StudyInput.ParseShape(s) is null)
            {
                r.AddError("--shape must be DxHxW with three positive sizes, e.g. 30x27x36");
            }
        });
        var brainExtraction = StudyInput.BrainExtractionOption();
        var command = new Command("prepare", "Decode one shard of a study into a shared volume cache (a cluster array task), or check the cache with --verify")
        {
            data, cache, shard, verify, model, voxel, shape, template, suffix, brainExtraction,
        };
        command.SetAction(result => CliApp.Guard("prepare", io.Err, () =>
        {
            var ml = new MLContext(seed: 0);
            IDataView study = StudyInput.LoadRows(ml, result.GetRequiredValue(data), result.GetValue(template), result.GetValue(suffix)!);
            using var pretrained = result.GetValue(model) is { } path ? MriNetModel.Load(path) : null;
            var options = StudyInput.WithBrainExtraction(
                StudyInput.LoaderOptions(pretrained, result.GetValue(voxel), result.GetValue(shape) is { } s ? StudyInput.ParseShape(s) : null, result.GetRequiredValue(cache)),
                result.GetValue(brainExtraction));
            return result.GetValue(verify)
                ? Verify(io, ml, study, options)
                : Prepare(io, ml, study, options, ParseShard(result.GetRequiredValue(shard))!.Value);
        }, "entries written so far are whole; the same command again continues"));
        return command;
    }

    private static int Prepare(CliIo io, MLContext ml, IDataView study, NiftiLoaderOptions options, (int Index, int Count) shard)
    {
        var c = CultureInfo.InvariantCulture;
        string label = string.Create(c, $"prepare shard {shard.Index}/{shard.Count}");
        PreparedShard done;
        using (var cancel = new CancellationTokenSource())
        using (var bar = io.Progress(label, 0, "files"))
        using (io.OnCancel("prepare", cancel.Cancel))
        {
            done = PreparedCache.PrepareShard(ml, study, options, shard.Index, shard.Count, progress: new Files(bar, label), cancel: cancel.Token);
        }
        foreach (string failure in done.Failures)
        {
            io.Err.WriteLine($"xai4mri prepare: {failure}");
        }
        io.Out.WriteLine(string.Create(c,
            $"shard {done.Shard}/{done.ShardCount}: {done.Subjects} subjects ({done.Files} files): {done.Decoded} decoded, {done.FromCache} already cached, {done.Failures.Count} failed"));
        return done.Failures.Count == 0 ? CliApp.ExitOk : CliApp.ExitBadInput;
    }

    private static int Verify(CliIo io, MLContext ml, IDataView study, NiftiLoaderOptions options)
    {
        PreparedCacheCheck check;
        using (var cancel = new CancellationTokenSource())
        using (var bar = io.Progress("verify", 0, "files"))
        using (io.OnCancel("prepare", cancel.Cancel))
        {
            check = PreparedCache.Verify(ml, study, options, progress: new Files(bar, "verify"), cancel: cancel.Token);
        }
        foreach (var (what, subjects) in new[] { ("missing", check.Missing), ("corrupt", check.Corrupt) })
        {
            if (subjects.Count > 0)
            {
                io.Out.WriteLine($"{what}: {string.Join(", ", subjects)}");
            }
        }
        foreach (string problem in check.Unreadable)
        {
            io.Out.WriteLine($"unreadable: {problem}");
        }
        if (check.FittedSettingsPath is { } fitted)
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loader fit merged from {check.ShardsMerged} shards: {fitted}"));
        }
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{check.Cached} of {check.Subjects} subjects cached, {check.Missing.Count} missing, {check.Corrupt.Count} corrupt{(check.Unreadable.Count > 0 ? $", {check.Unreadable.Count} unreadable" : "")}"));
        return check.IsComplete ? CliApp.ExitOk : CliApp.ExitBadInput;
    }

    private static (int Index, int Count)? ParseShard(string? text)
    {
        string[] parts = (text ?? "").Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n
            ? (i, n)
            : null;
    }

    /// <summary>Files done so far, to the bar (reports come from the worker threads).</summary>
    private sealed class Files(ProgressBar bar, string label) : IProgress<(int Done, int Total)>
    {
        private int _total = -1;

        public void Report((int Done, int Total) value)
        {
            lock (bar)
            {
                if (_total != value.Total)
                {
                    _total = value.Total;
                    bar.Restart(label, value.Total);
                }
                bar.Report(value.Done);
            }
        }
    }
}
