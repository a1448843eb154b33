using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri train --data participants.tsv|BIDS-root --label age --out model.zip [...]</c>: LoadNifti →
/// MriNetTransfer on a study, saved as an ML.NET model .zip that <c>xai4mri predict</c> and <c>ml.Model.Load</c> use.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var study = new StudyInput();
        var output = new Option<string>("--out") { Description = "The model .zip to write", Required = true };
        var model = new Option<string?>("--model") { Description = "Pretrained model (.x4m, Keras .h5, .onnx, or a model .zip with a network); default: a fresh MRInet" };
        var strategy = new Option<string>("--strategy") { Description = "mono, dual or probe (linear probe then fine-tune)", DefaultValueFactory = _ => "dual" };
        strategy.AcceptOnlyFromAmong("mono", "dual", "probe");
        var epochs = new Option<int>("--epochs") { Description = "Epochs of phase 1", DefaultValueFactory = _ => 20 };
        var fineTune = new Option<int>("--fine-tune-epochs") { Description = "Epochs of phase 2 (dual, probe)", DefaultValueFactory = _ => 10 };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Adam learning rate (default: the model's, else 5e-4)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 4 };
        var validation = new Option<double>("--validation-fraction") { Description = "Share of subjects held out for validation", DefaultValueFactory = _ => 0.1 };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs (0: off)", DefaultValueFactory = _ => 10 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Folder for per-epoch checkpoints; a rerun resumes from it" };
        var seed = new Option<int>("--seed") { Description = "Seed of split, head, shuffling, dropout", DefaultValueFactory = _ => 0 };
        var voxel = new Option<double?>("--voxel-size") { Description = "Resample to this isotropic voxel size in mm (default: keep the images')" };
        var shape = new Option<string?>("--shape") { Description = "Conformed input DxHxW (default: the pretrained model's, else learned from the data)" };
        var plot = new Option<string?>("--plot") { Description = "Write the learning curve PNG here" };
        var command = new Command("train", "Train (fine-tune) a network on a study and save the ML.NET model .zip")
        {
            output, model, strategy, epochs, fineTune, learningRate, batch, validation, patience, checkpoint, seed, voxel, shape, plot,
        };
        foreach (var option in study.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CliApp.Guard("train", stderr, () =>
        {
            var ml = new MLContext(seed: result.GetValue(seed));
            var (data, label) = study.Load(ml, result);
            return Run(ml, data, label, stdout, new Arguments(
                result.GetRequiredValue(output), study.IsClassification(result), result.GetValue(model), result.GetValue(strategy)!, result.GetValue(epochs), result.GetValue(fineTune),
                result.GetValue(learningRate), result.GetValue(batch), result.GetValue(validation), result.GetValue(patience), result.GetValue(checkpoint),
                result.GetValue(seed), result.GetValue(voxel), result.GetValue(shape), result.GetValue(plot), result.GetValue(study.Cache)));
        }));
        return command;
    }

    private sealed record Arguments(string Output, bool Classification, string? Model, string Strategy,
        int Epochs, int FineTune, double? LearningRate, int Batch, double Validation, int Patience, string? Checkpoint, int Seed, double? Voxel, string? Shape,
        string? Plot, string? Cache);

    private static int Run(MLContext ml, IDataView study, string labelColumn, TextWriter stdout, Arguments a)
    {
        using var pretrained = a.Model is null ? null : MriNetModel.Load(a.Model);
        int[]? shape = a.Shape is null ? pretrained?.InputShape : a.Shape.Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var loader = new NiftiLoaderOptions { VoxelSize = a.Voxel is { } v ? [v] : null, TargetShape = shape, CacheDirectory = a.Cache };
        var options = new MriNetTransferTrainer.Options
        {
            LabelColumnName = labelColumn,
            PretrainedModel = pretrained,
            Strategy = a.Strategy switch { "mono" => TransferStrategy.MonoPhase, "probe" => TransferStrategy.LinearProbeThenFineTune, _ => TransferStrategy.DualPhase },
            Epochs = a.Epochs,
            FineTuneEpochs = a.FineTune,
            LearningRate = a.LearningRate,
            BatchSize = a.Batch,
            ValidationFraction = a.Validation,
            EarlyStoppingPatience = a.Patience,
            CheckpointDirectory = a.Checkpoint,
            Seed = a.Seed,
            Progress = new Lines(stdout),
        };
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", loader)
            .Append(a.Classification ? ml.MulticlassClassification.Trainers.MriNetTransfer(options) : ml.Regression.Trainers.MriNetTransfer(options));
        var fitted = pipeline.Fit(study);
        var trained = ((IEnumerable<ITransformer>)fitted).OfType<MriNetPredictionTransformer>().Last();
        ml.Model.Save(fitted, study.Schema, a.Output);
        if (a.Plot is not null)
        {
            trained.History.SavePlot(a.Plot);
        }
        var best = trained.History.Best;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Saved {a.Output}: best epoch {best?.Epoch} ({best?.MetricName} train {best?.TrainMetric:G4}, validation {best?.ValidationMetric:G4})"));
        return CliApp.ExitOk;
    }

    /// <summary>Prints each epoch's report as it arrives (synchronously, so lines keep their order).</summary>
    private sealed class Lines(TextWriter stdout) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => stdout.WriteLine(value.ToString());
    }
}
