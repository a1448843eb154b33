using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

/// <summary>
/// Makes the shipped pretrained model: MRInet (xai4mri's batch-norm variant) trained for age on 1,000 synthetic site-A
/// subjects. Deterministic: the same seeds on the same platform give the same weights (the SHA-256 is printed so that
/// a rerun can be compared with pretrained/README.md).
/// </summary>

internal static class Pretraining
{
    public static int Run(string work, string output)
    {
        var clock = Stopwatch.StartNew();
        string source = Path.Combine(work, "source");
        if (!File.Exists(Path.Combine(source, "participants.tsv")))
        {
            Console.WriteLine($"Generating 1,000 site-A subjects in {source} …");
            SyntheticCohort.Generate(Settings.Source(source));
        }
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source == "MriNetTransfer")
            {
                Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {e.RawMessage}");
            }
        };
        var data = StudyTable.Load(ml, Path.Combine(source, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
            options: new StudyTableOptions { NumericColumns = ["age"] });
        var loaderOptions = new NiftiLoaderOptions { VoxelSize = [Settings.VoxelSize], CacheDirectory = Path.Combine(work, "cache") };
        // The brain box of the source cohort at 6 mm becomes the network's input shape.
        var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(data);
        int[] shape = loader.Settings.TargetShape;
        Console.WriteLine($"Input: {string.Join(" x ", shape)} voxels at {Settings.VoxelSize} mm, LIA ({clock.Elapsed.TotalSeconds:F0} s)");
        float meanAge = data.GetColumn<float>("age").Average();
        using var fresh = MriNetModel.CreateMriNet(shape, ModelTask.Regression(meanAge, "age"), seed: 1, batchNorm: true,
            conventions: new InputConventions
            {
                VoxelSize = [Settings.VoxelSize],
                Description = $"synthetic site-A T1w, LoadNifti {Settings.VoxelSize} mm LIA, brain box {string.Join("x", shape)}, dataset 0-255",
            });
        var trainer = ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
        {
            LabelColumnName = "age",
            PretrainedModel = fresh,
            Strategy = TransferStrategy.MonoPhase,
            Epochs = 40,
            LearningRate = 5e-4,
            BatchSize = 8,
            ValidationFraction = 0.1,
            EarlyStoppingPatience = 12,
            // A fresh network: its batch-norm layers must learn their statistics.
            KeepBatchNormStatistics = false,
            Augmentation = new AugmentationOptions { FlipProbability = 0.5, MaxShift = 2 },
            CheckpointDirectory = Path.Combine(work, "pretrain-checkpoint"),
            Seed = 1,
        });
        var trained = trainer.Fit(loader.Transform(data));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        trained.Model.Save(output);
        trained.History.SavePlot(Path.ChangeExtension(output, ".png"));
        var best = trained.History.Best!;
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output)));
        Console.WriteLine($"Wrote {output} ({new FileInfo(output).Length / 1024} KiB, SHA-256 {sha})");
        Console.WriteLine($"Best epoch {best.Epoch} of {trained.History.Epochs.Count}: source validation MAE {best.ValidationMetric:F2} years; {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }
}
