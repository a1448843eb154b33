using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri train --data participants.tsv|BIDS-root --label age --out model.zip [...]</c>: LoadNifti →
/// MriNetTransfer on a study, saved as an ML.NET model .zip that <c>xai4mri predict</c> and <c>ml.Model.Load</c> use.
/// Epoch progress goes to stderr; stdout gets one line naming the saved model.
/// </summary>
internal sealed class TrainCommand
{
    private readonly StudyInput _study = new();
    private readonly Option<string> _output = new("--out") { Description = "The model .zip to write", Required = true, HelpName = "MODEL.zip" };
    private readonly Option<string?> _model = new("--model") { Description = "Pretrained model (.x4m, Keras .h5, .onnx, or a model .zip with a network) (default: a fresh MRInet)", HelpName = "FILE" };
    private readonly Option<string> _strategy = new("--strategy") { Description = "mono, dual or probe (linear probe, then fine-tune all layers)", DefaultValueFactory = _ => "dual" };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs of phase 1", DefaultValueFactory = _ => 20, HelpName = "N" };
    private readonly Option<int> _fineTune = new("--fine-tune-epochs") { Description = "Epochs of phase 2 (dual, probe)", DefaultValueFactory = _ => 10, HelpName = "N" };
    private readonly Option<double?> _learningRate = new("--learning-rate") { Description = "Adam learning rate of phase 1 (default: the pretrained model's, else 5e-4)", HelpName = "LR" };
    private readonly Option<double?> _fineTuneRate = new("--fine-tune-learning-rate") { Description = "Adam learning rate of phase 2 (default: --learning-rate)", HelpName = "LR" };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "L2 penalty added to the gradients", DefaultValueFactory = _ => 0.0, HelpName = "L2" };
    private readonly Option<int> _batch = new("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 4, HelpName = "N" };
    private readonly Option<double> _validation = new("--validation-fraction") { Description = "Share of subjects held out for validation (0: none)", DefaultValueFactory = _ => 0.1, HelpName = "F" };
    private readonly Option<int> _patience = new("--patience") { Description = "Early-stopping patience in epochs (0: off)", DefaultValueFactory = _ => 10, HelpName = "N" };
    private readonly Option<double> _minDelta = new("--min-delta") { Description = "Smallest loss decrease that counts as improvement for early stopping", DefaultValueFactory = _ => 0.001, HelpName = "D" };
    private readonly Option<double> _flip = new("--flip-probability") { Description = "Augmentation: probability of mirroring a training image left-right", DefaultValueFactory = _ => 0.0, HelpName = "P" };
    private readonly Option<int> _flipAxis = new("--left-right-axis") { Description = "Augmentation: array axis (0, 1, 2 of DxHxW) that runs left-right in the conformed images", DefaultValueFactory = _ => 0, HelpName = "AXIS" };
    private readonly Option<int> _shift = new("--max-shift") { Description = "Augmentation: largest random shift in voxels along each axis", DefaultValueFactory = _ => 0, HelpName = "VOXELS" };
    private readonly Option<double> _jitter = new("--intensity-jitter") { Description = "Augmentation: relative intensity jitter j, one factor in [1-j, 1+j] per image", DefaultValueFactory = _ => 0.0, HelpName = "J" };
    private readonly Option<string?> _checkpoint = new("--checkpoint") { Description = "Folder for per-epoch checkpoints; the same command again resumes from it (default: none)", HelpName = "DIR" };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of split, head, shuffling, dropout and augmentation", DefaultValueFactory = _ => 0, HelpName = "S" };
    private readonly Option<double?> _voxel = new("--voxel-size") { Description = "Resample to this isotropic voxel size in mm (default: the pretrained model's, else keep the images')", HelpName = "MM" };
    private readonly Option<string?> _shape = new("--shape") { Description = "Conformed input DxHxW (default: the pretrained model's, else learned from the data)", HelpName = "DxHxW" };
    private readonly Option<string?> _plot = new("--plot") { Description = "Write the learning curve PNG here (default: none)", HelpName = "FILE.png" };

    private TrainCommand()
    {
        _strategy.AcceptOnlyFromAmong("mono", "dual", "probe");
        AtLeast(_epochs, 1);
        AtLeast(_fineTune, 0);
        AtLeast(_batch, 1);
        AtLeast(_patience, 0);
        AtLeast(_shift, 0);
        Positive(_learningRate);
        Positive(_fineTuneRate);
        InRange(_validation, 0, 1, upperOpen: true);
        InRange(_flip, 0, 1, upperOpen: false);
        InRange(_jitter, 0, 1, upperOpen: true);
        InRange(_weightDecay, 0, double.PositiveInfinity, upperOpen: true);
        InRange(_minDelta, 0, double.PositiveInfinity, upperOpen: true);
        _flipAxis.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is not (0 or 1 or 2))
            {
                r.AddError($"{_flipAxis.Name} must be 0, 1 or 2");
            }
        });
        _shape.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } s && StudyInput.ParseShape(s) is null)
            {
                r.AddError($"--shape '{s}' is not DxHxW with three positive whole numbers, e.g. 96x112x96");
            }
        });
    }

    public static Command Create(CliIo io)
    {
        var t = new TrainCommand();
        var command = t.Build();
        command.SetAction(result =>
        {
            string? checkpoint = result.GetValue(t._checkpoint);
            return CliApp.Guard("train", io.Err, () => t.Run(io, result),
                checkpoint is null ? "no model was written" : $"no model was written; the checkpoint in {checkpoint} is kept and the same command resumes from it");
        });
        return command;
    }

    /// <summary>The trainer's options for a train command line (for tests: checks that every option reaches the trainer).</summary>
    /// <exception cref="ArgumentException">The command line does not parse; the message holds the errors.</exception>
    internal static MriNetTransferTrainer.Options ParseTrainerOptions(params string[] args)
    {
        var t = new TrainCommand();
        var result = t.Build().Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
        }
        return t.TrainerOptions(result, "age", pretrained: null);
    }

    private Command Build()
    {
        var command = new Command("train", "Train (fine-tune) a network on a study table or a BIDS dataset and save the ML.NET model .zip")
        {
            _output, _model, _strategy, _epochs, _fineTune, _learningRate, _fineTuneRate, _weightDecay, _batch, _validation, _patience, _minDelta,
            _flip, _flipAxis, _shift, _jitter, _checkpoint, _seed, _voxel, _shape, _plot,
        };
        foreach (var option in _study.All)
        {
            command.Options.Add(option);
        }
        return command;
    }

    private MriNetTransferTrainer.Options TrainerOptions(ParseResult r, string labelColumn, MriNetModel? pretrained)
    {
        var augmentation = new AugmentationOptions
        {
            FlipProbability = r.GetValue(_flip),
            LeftRightAxis = r.GetValue(_flipAxis),
            MaxShift = r.GetValue(_shift),
            IntensityJitter = r.GetValue(_jitter),
        };
        return new MriNetTransferTrainer.Options
        {
            LabelColumnName = labelColumn,
            PretrainedModel = pretrained,
            Strategy = r.GetValue(_strategy) switch { "mono" => TransferStrategy.MonoPhase, "probe" => TransferStrategy.LinearProbeThenFineTune, _ => TransferStrategy.DualPhase },
            Epochs = r.GetValue(_epochs),
            FineTuneEpochs = r.GetValue(_fineTune),
            LearningRate = r.GetValue(_learningRate),
            FineTuneLearningRate = r.GetValue(_fineTuneRate),
            WeightDecay = r.GetValue(_weightDecay),
            BatchSize = r.GetValue(_batch),
            ValidationFraction = r.GetValue(_validation),
            EarlyStoppingPatience = r.GetValue(_patience),
            EarlyStoppingMinDelta = r.GetValue(_minDelta),
            Augmentation = augmentation is { FlipProbability: > 0 } or { MaxShift: > 0 } or { IntensityJitter: > 0 } ? augmentation : null,
            CheckpointDirectory = r.GetValue(_checkpoint),
            Seed = r.GetValue(_seed),
        };
    }

    private int Run(CliIo io, ParseResult r)
    {
        var ml = new MLContext(seed: r.GetValue(_seed));
        var (study, labelColumn) = _study.Load(ml, r, io.Err);
        // The trainer says on its log whether it resumed from the checkpoint, or ignored one that it cannot read or that
        // belongs to another run (other data, model or options); either way the user should know before epochs pass.
        ml.Log += (_, e) =>
        {
            if (e.Source == "MriNetTransfer" && (e.Kind == ChannelMessageKind.Warning || e.RawMessage.StartsWith("resuming from ", StringComparison.Ordinal)))
            {
                io.Err.WriteLine($"xai4mri train: {(e.Kind == ChannelMessageKind.Warning ? "warning: " : "")}{e.RawMessage}");
            }
        };
        string output = r.GetRequiredValue(_output);
        using var pretrained = r.GetValue(_model) is { } modelPath ? MriNetModel.Load(modelPath) : null;
        // Conformed as the model expects (orientation, voxel size, box, intensities), as `analyze` does.
        var loader = StudyInput.WithBrainExtraction(
            StudyInput.LoaderOptions(pretrained, r.GetValue(_voxel), r.GetValue(_shape) is { } s ? StudyInput.ParseShape(s) : null, r.GetValue(_study.Cache)),
            r.GetValue(_study.BrainExtraction));
        var options = TrainerOptions(r, labelColumn, pretrained);
        using var bar = io.Progress("train", 0, "epochs");
        options.Progress = new EpochProgress(bar, io.Interactive);
        var pipeline = StudyInput.Loader(ml, study, loader, io.Err)
            .Append(_study.IsClassification(r) ? ml.MulticlassClassification.Trainers.MriNetTransfer(options) : ml.Regression.Trainers.MriNetTransfer(options));
        TransformerChain<MriNetPredictionTransformer> fitted;
        using (io.OnCancel("train", () => MLContextCancellation.CancelExecution(ml)))
        {
            fitted = pipeline.Fit(study);
        }
        bar.Dispose();
        io.Err.WriteLine(StudyInput.CacheLine(fitted));
        var trained = ((IEnumerable<ITransformer>)fitted).OfType<MriNetPredictionTransformer>().Last();
        ModelZip.Save(ml, fitted, study.Schema, output);
        if (r.GetValue(_plot) is { } plot)
        {
            trained.History.SavePlot(plot);
        }
        var best = trained.History.Best;
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Saved {output}: best epoch {best?.Epoch} ({best?.MetricName} train {best?.TrainMetric:G4}, validation {best?.ValidationMetric:G4})"));
        return CliApp.ExitOk;
    }

    private static void AtLeast(Option<int> option, int least) => option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() < least)
        {
            r.AddError($"{option.Name} must be at least {least}");
        }
    });

    private static void Positive(Option<double?> option) => option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<double?>() is { } v && !(v > 0 && double.IsFinite(v)))
        {
            r.AddError($"{option.Name} must be a positive number");
        }
    });

    private static void InRange(Option<double> option, double low, double high, bool upperOpen) => option.Validators.Add(r =>
    {
        double v = r.GetValueOrDefault<double>();
        if (!(v >= low && (upperOpen ? v < high : v <= high)))
        {
            string range = double.IsPositiveInfinity(high) ? $"at least {low.ToString(CultureInfo.InvariantCulture)}"
                : $"in [{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}{(upperOpen ? ")" : "]")}";
            r.AddError($"{option.Name} must be {range}");
        }
    });

    /// <summary>
    /// Each epoch's report: on a terminal a bar per phase with the trainer's ETA under the epoch lines, else the epoch
    /// lines alone. The trainer reports synchronously after the epoch's checkpoint is written, so lines keep their order.
    /// </summary>
    private sealed class EpochProgress(ProgressBar bar, bool interactive) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            string label = string.Create(CultureInfo.InvariantCulture, $"train phase {value.Phase}/{value.PhaseCount}");
            if (bar.Label != label)
            {
                bar.Restart(label, value.EpochsInPhase);
            }
            bar.Message(value.ToString());
            if (interactive)
            {
                bar.Report(value.EpochInPhase, null, value.EstimatedRemaining);
            }
        }
    }
}
