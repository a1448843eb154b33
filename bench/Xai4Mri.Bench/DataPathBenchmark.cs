using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xai4Mri.ML;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// Epoch time of MriNetTransferTrainer (its data path: image store, background batch assembly, optional
/// augmentation) against the same training steps on batches already materialised as tensors (compute only).
/// Target: at most 1.05×.
/// </summary>
internal static class DataPathBenchmark
{
    public static int Run(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR (with the source cohort of transfer-pretrain) is required");
        int subjects = int.Parse(TransferStudy.Arg(args, "--subjects") ?? "200", CultureInfo.InvariantCulture);
        int epochs = int.Parse(TransferStudy.Arg(args, "--epochs") ?? "3", CultureInfo.InvariantCulture);
        const int batch = 4;
        var ml = new MLContext(seed: 1);
        var table = StudyTable.Load(ml, Path.Combine(work, "source", "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = ["age"] });
        var rows = ml.Data.TakeRows(table, subjects);
        var images = ml.Transforms.LoadNifti("Image", "Path", TransferStudy.Loader(Path.Combine(work, "cache"))).Fit(rows).Transform(rows);
        Console.WriteLine($"# Data-path benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores): MRInet {string.Join('x', TransferStudy.InputShape)}, batch {batch}, {subjects} images, {epochs} epochs, warm cache");
        int repeats = int.Parse(TransferStudy.Arg(args, "--repeats") ?? "3", CultureInfo.InvariantCulture);
        var runs = new (string Name, long Budget, AugmentationOptions? Augmentation)[]
        {
            ("compute only (batches pre-materialised as tensors)", 0, null),
            ("trainer, images in memory", 2L << 30, null),
            ("trainer, images in a temporary file", 1, null),
            ("trainer, in memory, augmentation (flip, shift 2, jitter 0.1)", 2L << 30, new AugmentationOptions { FlipProbability = 0.5, MaxShift = 2, IntensityJitter = 0.1 }),
        };
        // The runs take turns, repeatedly: on a shared VM the speed drifts, and interleaving spreads the drift over all.
        var times = runs.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
        {
            for (int k = 0; k < runs.Length; k++)
            {
                times[k].Add(k == 0 ? ComputeOnly(images, batch, epochs) : TrainerEpoch(ml, images, batch, epochs, runs[k].Budget, runs[k].Augmentation));
            }
        }
        Console.WriteLine($"{repeats} interleaved repeats; per run the median over repeats of the median epoch time (epochs 2..)");
        Console.WriteLine("| run | s/epoch | each repeat | ratio to compute only |");
        Console.WriteLine("|---|---|---|---|");
        double anchor = Median(times[0]);
        for (int k = 0; k < runs.Length; k++)
        {
            double median = Median(times[k]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {runs[k].Name} | {median:F2} | {string.Join(", ", times[k].Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} | {median / anchor:F3} |"));
        }
        return 0;
    }

    private static double TrainerEpoch(MLContext ml, IDataView images, int batch, int epochs, long budget, AugmentationOptions? augmentation)
    {
        var trainer = ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
        {
            LabelColumnName = "age",
            Strategy = TransferStrategy.MonoPhase,
            Epochs = epochs,
            BatchSize = batch,
            ValidationFraction = 0,
            EarlyStoppingPatience = 0,
            MaxInMemoryBytes = budget,
            Augmentation = augmentation,
            Seed = 1,
        });
        return Median(trainer.Fit(images).History.Epochs.Skip(1).Select(e => e.Seconds));
    }

    /// <summary>The trainer's step (forward, MSE, backward, Adam) over tensors made before the clock starts.</summary>
    private static double ComputeOnly(IDataView images, int batch, int epochs)
    {
        var shape = TransferStudy.InputShape;
        var volumes = images.GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToList();
        var ages = images.GetColumn<float>("age").ToList();
        using var model = MriNetModel.CreateMriNet(shape, ModelTask.Regression(ages.Average()), seed: 1);
        var network = model.Network;
        var batches = new List<(Tensor X, Tensor Y)>();
        for (int start = 0; start < volumes.Count; start += batch)
        {
            int count = Math.Min(batch, volumes.Count - start);
            var x = OwnedTensor.From(volumes.Skip(start).Take(count).SelectMany(v => v).ToArray(), [count, 1, shape[0], shape[1], shape[2]]);
            var y = OwnedTensor.From(ages.Skip(start).Take(count).ToArray());
            batches.Add((x.DetachFromDisposeScope(), y.DetachFromDisposeScope()));
        }
        network.train();
        using var optimizer = new AdamOptimizer(network.parameters(), 0.9, 0.999, 1e-7, 0);
        int last = model.Spec.Layers.Count - 1;
        var seconds = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            foreach (var (x, y) in batches)
            {
                using var scope = NewDisposeScope();
                var output = network.ForwardTo(x, last);
                var loss = NetworkLoss.Compute(output, y, model.Spec, LabelKind.Regression);
                loss.backward();
                optimizer.Step(5e-4);
                lossSum += loss.ToDouble() * x.shape[0];
                _ = NetworkLoss.MetricSum(output.detach(), y, LabelKind.Regression);
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        foreach (var (x, y) in batches)
        {
            x.Dispose();
            y.Dispose();
        }
        return Median(seconds.Skip(1));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
