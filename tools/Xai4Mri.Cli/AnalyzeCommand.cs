using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri analyze --model M --data participants.tsv|BIDS-root --label age [--out report-dir]</c>: will the model
/// transfer to this study, and how should it be trained? The report goes to stdout as Markdown, or with --out into a
/// folder (report.md, report.json, figures); progress lines go to stderr.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliIo io)
    {
        var model = new Option<string>("--model") { Description = "Pretrained model (.x4m, Keras .h5, .onnx, or a model .zip with a network)", Required = true, HelpName = "FILE" };
        var study = new StudyInput();
        var output = new Option<string?>("--out") { Description = "Folder for report.md, report.json and the PNG figures (default: Markdown to stdout)", HelpName = "DIR" };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds of the probes", DefaultValueFactory = _ => 5, HelpName = "K" };
        var seed = new Option<int>("--seed") { Description = "Seed of folds and subsets", DefaultValueFactory = _ => 0, HelpName = "S" };
        var site = new Option<string?>("--site-column") { Description = "Column naming each image's site (default: 'site' when present)", HelpName = "COLUMN" };
        var voxel = new Option<double?>("--voxel-size") { Description = "Resample to this isotropic voxel size in mm (default: the model's, else keep the images')", HelpName = "MM" };
        var command = new Command("analyze", "Analyse a study for a pretrained model: diagnostics, transferability, domain shift and a recommended training strategy")
        {
            model, output, folds, seed, site, voxel,
        };
        foreach (var option in study.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CliApp.Guard("analyze", io.Err, () =>
        {
            var ml = new MLContext(seed: result.GetValue(seed));
            var (data, label) = study.Load(ml, result, io.Err);
            return Run(ml, io, result.GetRequiredValue(model), data, label, result.GetValue(output), result.GetValue(folds), result.GetValue(seed),
                result.GetValue(site), result.GetValue(voxel), result.GetValue(study.Cache));
        }, "no report was written"));
        return command;
    }

    private static int Run(MLContext ml, CliIo io, string modelPath, IDataView study, string labelColumn, string? output,
        int folds, int seed, string? site, double? voxel, string? cache)
    {
        using var pretrained = MriNetModel.Load(modelPath);
        // Conformed as the model expects (orientation, voxel size, box, intensities), as `train` does.
        var loader = StudyInput.LoaderOptions(pretrained, voxel, null, cache);
        TransferReport report;
        using (var bar = io.Progress("analyze", 0, "steps"))
        {
            var options = new TransferAnalysisOptions { Folds = folds, Seed = seed, SiteColumnName = site, Progress = new Steps(bar, io.Interactive) };
            var pipeline = StudyInput.Loader(ml, study, loader, io.Err).Append(ml.Transforms.AnalyzeTransfer(labelColumn, "Image", pretrained, options: options));
            using (io.OnCancel("analyze", () => MLContextCancellation.CancelExecution(ml)))
            {
                var fitted = pipeline.Fit(study);
                report = fitted.LastTransformer.Report;
                bar.Message(StudyInput.CacheLine(fitted));
            }
        }
        TextWriter stdout = io.Out;
        if (output is null)
        {
            stdout.Write(report.ToMarkdown());
            return CliApp.ExitOk;
        }
        report.Save(output);
        var r = report.Recommendation;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Recommendation: {r.Approach} (confidence {r.ConfidenceLevel}); expected {r.Metric} {r.ExpectedScore:G3}, chance {r.ChanceScore:G3}"));
        stdout.WriteLine($"Report written to {Path.Combine(output, "report.md")} with report.json and {TransferReport.Figures.Count} figures");
        return CliApp.ExitOk;
    }

    /// <summary>
    /// The analysis's steps as they arrive, in order: on a terminal one redrawn line (step count, elapsed time, the
    /// latest step), else one plain line per step.
    /// </summary>
    private sealed class Steps(ProgressBar bar, bool interactive) : IProgress<string>
    {
        private int _step;

        public void Report(string value)
        {
            if (interactive)
            {
                bar.Report(++_step, value);
            }
            else
            {
                bar.Message(value);
            }
        }
    }
}
