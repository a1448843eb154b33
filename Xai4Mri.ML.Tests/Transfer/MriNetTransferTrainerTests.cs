using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Tests.Cli;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>
/// MriNetTransferTrainer on tiny volumes: each strategy lowers its loss; phase 2 freezes what it should; early
/// stopping, checkpoint/resume, cancellation, determinism; ML.NET evaluation, cross-validation and saving.
/// </summary>
[TestClass]
public sealed class MriNetTransferTrainerTests
{
    private static MriNetModel Pretrained(int classes = 0) =>
        MriNetModel.CreateMriNet(TransferData.Shape, classes == 0 ? ModelTask.Regression(40) : ModelTask.Classification(Enumerable.Range(0, classes).Select(i => $"c{i}")), seed: 11);

    private static Dictionary<string, float[]> Weights(MriNetModel model) =>
        model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(ScalarType.Float32).data<float>().ToArray());

    private static MriNetTransferTrainer.Options Regression(MriNetModel? pretrained, TransferStrategy strategy, int epochs = 6, int fineTune = 4) => new()
    {
        LabelColumnName = "Age",
        PretrainedModel = pretrained,
        Strategy = strategy,
        Epochs = epochs,
        FineTuneEpochs = fineTune,
        LearningRate = 3e-3,
        BatchSize = 4,
        ValidationFraction = 0,
        Seed = 5,
    };

    [TestMethod]
    [DataRow(TransferStrategy.MonoPhase)]
    [DataRow(TransferStrategy.DualPhase)]
    [DataRow(TransferStrategy.LinearProbeThenFineTune)]
    public void EachStrategyLowersTheTrainingLoss(TransferStrategy strategy)
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(24));
        using var pretrained = Pretrained();
        var options = Regression(pretrained, strategy);
        options.EarlyStoppingPatience = 0;

        var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(data);

        var epochs = fitted.History.Epochs;
        int expected = strategy == TransferStrategy.MonoPhase ? 6 : 10;
        Assert.HasCount(expected, epochs);
        Assert.IsLessThan(epochs[0].TrainLoss, epochs.Min(e => e.TrainLoss), $"{strategy}: {string.Join(", ", epochs.Select(e => e.TrainLoss.ToString("F1", CultureInfo.InvariantCulture)))}");
        Assert.AreEqual(expected == 6 ? 1 : 2, epochs[^1].Phase);
        string[] phases = strategy switch
        {
            TransferStrategy.MonoPhase => ["all layers"],
            TransferStrategy.DualPhase => ["all layers", "dense layers only"],
            _ => ["head only", "all layers"],
        };
        CollectionAssert.AreEqual(phases, epochs.Select(e => e.PhaseName).Distinct().ToArray());
        var metrics = ml.Regression.Evaluate(fitted.Transform(data), labelColumnName: "Age");
        var ages = TransferData.Rows(24).Select(r => (double)r.Age).ToList();
        double meanBaseline = ages.Average(a => Math.Abs(a - ages.Average()));
        Assert.IsLessThan(meanBaseline, metrics.MeanAbsoluteError, $"{strategy}: the trained network beats predicting the mean ({meanBaseline:F2} years)");
    }

    [TestMethod]
    public void PhaseTwoOfDualPhaseChangesOnlyTheDenseLayers()
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(24));
        using var pretrained = Pretrained();
        var monoOptions = Regression(pretrained, TransferStrategy.MonoPhase);
        var dualOptions = Regression(pretrained, TransferStrategy.DualPhase, fineTune: 6);
        monoOptions.EarlyStoppingPatience = dualOptions.EarlyStoppingPatience = 0;

        // Phase 1 of the dual run is the mono run (same seed, data and epochs); phase 2 may then change only Dense layers.
        var mono = ml.Regression.Trainers.MriNetTransfer(monoOptions).Fit(data);
        var dual = ml.Regression.Trainers.MriNetTransfer(dualOptions).Fit(data);

        Assert.IsTrue(dual.History.Epochs.Where(e => e.Phase == 2).Any(e => e.IsBest), "phase 2 must improve for this test to mean anything");
        var before = Weights(mono.Model);
        var after = Weights(dual.Model);
        var spec = dual.Model.Spec;
        int denseChanged = 0;
        foreach (var (name, values) in after)
        {
            var layer = spec.Layers[int.Parse(name.Split('.')[1], CultureInfo.InvariantCulture)];
            if (layer.Kind == LayerKind.Dense)
            {
                denseChanged += values.SequenceEqual(before[name]) ? 0 : 1;
            }
            else
            {
                CollectionAssert.AreEqual(before[name], values, $"{name} ({layer.Kind}) must be frozen in phase 2");
            }
        }
        Assert.AreEqual(4, denseChanged, "both Dense layers' weights and biases changed");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void FineTuningKeepsThePretrainedBatchNormStatisticsUnlessAskedNotTo(bool keep)
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(12));
        using var pretrained = MriNetModel.CreateMriNet(TransferData.Shape, ModelTask.Regression(40), seed: 11, batchNorm: true);
        var options = Regression(pretrained, TransferStrategy.MonoPhase, epochs: 2);
        options.KeepBatchNormStatistics = keep;

        var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(data);

        var before = Weights(pretrained);
        var after = Weights(fitted.Model);
        var statistics = after.Keys.Where(k => k.EndsWith(".running_mean", StringComparison.Ordinal) || k.EndsWith(".running_var", StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(statistics);
        Assert.AreEqual(keep, statistics.All(k => before[k].SequenceEqual(after[k])), "running statistics kept exactly when asked");
        var scale = after.Keys.First(k => k.EndsWith(".weight", StringComparison.Ordinal) && statistics.Any(s => s.StartsWith(k[..^".weight".Length], StringComparison.Ordinal)));
        Assert.IsFalse(before[scale].SequenceEqual(after[scale]), $"{scale}: the batch-norm scale still trains");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void PhaseTwoStartsFromTheBestOrTheLastWeightsOfPhaseOne(bool restore)
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var options = Regression(null, TransferStrategy.DualPhase, epochs: 4, fineTune: 2);
        // A learning rate this large makes phase 1 get worse after its first epochs, so its best epoch is not its last.
        options.LearningRate = 0.3;
        options.EarlyStoppingPatience = 0;
        options.ValidationFraction = 0.25;
        options.RestoreBestBetweenPhases = restore;
        options.CheckpointDirectory = dir.File("ckpt");
        options.Progress = new StopAfter(4, () => throw new IOException("stop after phase 1"));

        Assert.ThrowsExactly<IOException>(() => ml.Regression.Trainers.MriNetTransfer(options).Fit(TransferData.Load(ml, TransferData.Rows(16))));

        // The checkpoint after the last epoch of phase 1 holds the weights phase 2 starts from, then the best ones.
        string fingerprint = System.Text.Json.JsonDocument.Parse(ReadState(dir.File("ckpt"))).RootElement.GetProperty("Fingerprint").GetString()!;
        var (state, tensors, problem) = TrainingCheckpoint.TryLoad(Path.Combine(dir.File("ckpt"), TrainingCheckpoint.FileName), fingerprint);
        Assert.IsNull(problem);
        Assert.IsTrue(state!.PhaseFinished);
        Assert.AreNotEqual(4, state.History.MinBy(e => e.ValidationLoss)!.Epoch, "the best epoch of phase 1 must not be its last for this test to mean anything");
        // Checkpoint tensors: the network's state, the best state, then Adam's moments.
        using var shape = MriNetModel.CreateMriNet(TransferData.Shape, ModelTask.Regression());
        int n = shape.Network.state_dict().Count;
        var current = tensors.Take(n).SelectMany(t => t).ToArray();
        var best = tensors.Skip(n).Take(n).SelectMany(t => t).ToArray();
        Assert.AreEqual(restore, current.SequenceEqual(best));
    }

    private static string ReadState(string folder)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(folder, TrainingCheckpoint.FileName));
        using var reader = new StreamReader(zip.GetEntry("state.json")!.Open());
        return reader.ReadToEnd();
    }

    [TestMethod]
    public void EarlyStoppingEndsAPhaseWithoutImprovement()
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(24));
        using var pretrained = Pretrained();
        var options = Regression(pretrained, TransferStrategy.DualPhase, epochs: 30, fineTune: 30);
        options.LearningRate = 1e-12;
        options.EarlyStoppingPatience = 2;
        options.ValidationFraction = 0.25;

        var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(data);

        // Epoch 1 sets the best; two epochs without a 0.001 improvement stop each phase.
        Assert.HasCount(3, fitted.History.Epochs.Where(e => e.Phase == 1).ToList());
        Assert.HasCount(3, fitted.History.Epochs.Where(e => e.Phase == 2).ToList());
        Assert.IsTrue(fitted.History.Epochs.All(e => e.ValidationLoss is not null));
    }

    [TestMethod]
    public void ASameSeedRunIsBitIdentical()
    {
        float[] Train()
        {
            var ml = new MLContext(seed: 1);
            using var pretrained = Pretrained();
            var options = Regression(pretrained, TransferStrategy.DualPhase, epochs: 3, fineTune: 2);
            options.Augmentation = new AugmentationOptions { FlipProbability = 0.5, MaxShift = 2, IntensityJitter = 0.1 };
            options.ValidationFraction = 0.2;
            var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(TransferData.Load(ml, TransferData.Rows(20)));
            return [.. Weights(fitted.Model).Values.SelectMany(v => v)];
        }

        CollectionAssert.AreEqual(Train(), Train());
    }

    private sealed class StopAfter(int epoch, Action action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Epoch == epoch)
            {
                action();
            }
        }
    }

    [TestMethod]
    public void AnInterruptedRunResumesToTheSameWeights()
    {
        using var dir = TestPaths.Scratch();
        MriNetTransferTrainer.Options Options(string checkpoints, IProgress<TrainingProgress>? progress)
        {
            var o = Regression(null, TransferStrategy.DualPhase, epochs: 4, fineTune: 3);
            o.ValidationFraction = 0.2;
            o.CheckpointDirectory = checkpoints;
            o.Progress = progress;
            o.Augmentation = new AugmentationOptions { FlipProbability = 0.5 };
            return o;
        }
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(20));
        var whole = ml.Regression.Trainers.MriNetTransfer(Options(dir.File("a"), null)).Fit(data);

        // A crash after epoch 5 (phase 2 under way) — the checkpoint of epoch 5 is on disk when progress is reported.
        Assert.ThrowsExactly<IOException>(() => ml.Regression.Trainers.MriNetTransfer(Options(dir.File("b"), new StopAfter(5, () => throw new IOException("killed")))).Fit(data));
        var logs = new List<string>();
        ml.Log += (_, e) => logs.Add(e.Message);
        var resumed = ml.Regression.Trainers.MriNetTransfer(Options(dir.File("b"), null)).Fit(data);

        Assert.IsTrue(logs.Any(l => l.Contains("resuming from", StringComparison.Ordinal) && l.Contains("after epoch 5", StringComparison.Ordinal)), string.Join("\n", logs));
        CollectionAssert.AreEqual(whole.History.Epochs.Select(e => e.TrainLoss).ToArray(), resumed.History.Epochs.Select(e => e.TrainLoss).ToArray());
        var expected = Weights(whole.Model);
        foreach (var (name, values) in Weights(resumed.Model))
        {
            CollectionAssert.AreEqual(expected[name], values, name);
        }

        // A finished run in the folder is not trained again.
        var again = ml.Regression.Trainers.MriNetTransfer(Options(dir.File("b"), new StopAfter(1, () => Assert.Fail("trained again")))).Fit(data);
        CollectionAssert.AreEqual(expected.Values.SelectMany(v => v).ToArray(), Weights(again.Model).Values.SelectMany(v => v).ToArray());
    }

    [TestMethod]
    public void ACorruptOrForeignCheckpointIsIgnoredWithAWarning()
    {
        using var dir = TestPaths.Scratch();
        Directory.CreateDirectory(dir.File("c"));
        File.WriteAllText(Path.Combine(dir.File("c"), "xai4mri-training.ckpt"), "not a zip");
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => warnings.Add(e.Message);
        var options = Regression(null, TransferStrategy.MonoPhase, epochs: 2);
        options.CheckpointDirectory = dir.File("c");

        var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(TransferData.Load(ml, TransferData.Rows(8)));

        Assert.HasCount(2, fitted.History.Epochs);
        Assert.IsTrue(warnings.Any(w => w.Contains("ignoring the checkpoint", StringComparison.Ordinal) && w.Contains("cannot be read", StringComparison.Ordinal)), string.Join("\n", warnings));
    }

    [TestMethod]
    public void CancelExecutionStopsTraining()
    {
        var ml = new MLContext(seed: 1);
        var options = Regression(null, TransferStrategy.MonoPhase, epochs: 50);
        options.Progress = new StopAfter(2, () => MLContextCancellation.CancelExecution(ml));

        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Regression.Trainers.MriNetTransfer(options).Fit(TransferData.Load(ml, TransferData.Rows(8))));
    }

    [TestMethod]
    public void ImagesKeptInATemporaryFileTrainTheSameAsInMemory()
    {
        float[] Train(long budget)
        {
            var ml = new MLContext(seed: 1);
            var options = Regression(null, TransferStrategy.MonoPhase, epochs: 2);
            options.MaxInMemoryBytes = budget;
            var fitted = ml.Regression.Trainers.MriNetTransfer(options).Fit(TransferData.Load(ml, TransferData.Rows(10)));
            return [.. Weights(fitted.Model).Values.SelectMany(v => v)];
        }

        CollectionAssert.AreEqual(Train(1L << 30), Train(1));
    }

    [TestMethod]
    public void ClassifiersScoreForMlNetsEvaluators()
    {
        var ml = new MLContext(seed: 1);
        var rows = TransferData.Rows(24);
        using var pretrained = Pretrained();

        var multi = ml.MulticlassClassification.Trainers.MriNetTransfer("Label", pretrainedModel: pretrained, epochs: 4, fineTuneEpochs: 2, learningRate: 3e-3);
        var keyed = TransferData.WithGroupKey(ml, rows);
        var multiModel = multi.Fit(keyed);
        CollectionAssert.AreEqual(new[] { "young", "middle", "old" }, multiModel.Model.Task.ClassNames.ToArray());
        var multiScored = multiModel.Transform(keyed);
        var multiMetrics = ml.MulticlassClassification.Evaluate(multiScored);
        // By hand from the rows' groups (keys 1-3 in order of appearance) and the scored rows: the evaluator's accuracy
        // and confusion matrix come from the Score vector, so they equal PredictedLabel's only if the two agree; its
        // log-loss is that of Score read as class probabilities. (Six epochs on 24 rows do not reliably learn three
        // groups, so there is no bound above chance here.)
        var keys = rows.Select(r => (uint)Array.IndexOf(["young", "middle", "old"], r.Group) + 1).ToList();
        var multiPredicted = multiScored.GetColumn<uint>("PredictedLabel").ToList();
        var probabilities = multiScored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.AreEqual(HandMetrics.Accuracy(keys, multiPredicted), multiMetrics.MicroAccuracy, 1e-12);
        Assert.AreEqual(HandMetrics.MacroAccuracy(keys, multiPredicted), multiMetrics.MacroAccuracy, 1e-12);
        var confusion = HandMetrics.Confusion(keys, multiPredicted, 3);
        for (int label = 0; label < 3; label++)
        {
            CollectionAssert.AreEqual(confusion[label], multiMetrics.ConfusionMatrix.Counts[label].ToArray(), $"confusion row {label}");
        }
        Assert.AreEqual(HandMetrics.LogLoss(keys, probabilities), multiMetrics.LogLoss, 1e-6);
        Assert.AreEqual("accuracy", multiModel.History.Epochs[0].MetricName);

        var binary = ml.BinaryClassification.Trainers.MriNetTransfer("Patient", pretrainedModel: pretrained, epochs: 4, fineTuneEpochs: 2, learningRate: 3e-3);
        var data = TransferData.Load(ml, rows);
        var binaryScored = binary.Fit(data).Transform(data);
        var binaryMetrics = ml.BinaryClassification.Evaluate(binaryScored, labelColumnName: "Patient");
        // By hand: AUC from the ranking of Score against the rows' labels, accuracy from PredictedLabel.
        var patients = rows.Select(r => r.Patient).ToList();
        Assert.AreEqual(HandMetrics.Auc([.. binaryScored.GetColumn<float>("Score")], patients), binaryMetrics.AreaUnderRocCurve, 1e-12);
        Assert.AreEqual(HandMetrics.Accuracy(patients, [.. binaryScored.GetColumn<bool>("PredictedLabel")]), binaryMetrics.Accuracy, 1e-12);
        // Patients have the larger bright cubes, which six epochs learn to rank (AUC 1 for trainer seeds 0-5 and
        // pretrained seeds 11-16); a network that learnt nothing ranks near 0.5.
        Assert.IsGreaterThanOrEqualTo(0.9, binaryMetrics.AreaUnderRocCurve, $"AUC {binaryMetrics.AreaUnderRocCurve}");

        var wrong = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.MriNetTransfer("Age").Fit(data));
        StringAssert.Contains(wrong.Message, "label column 'Age' is Single; BinaryClassification needs Boolean");
    }

    [TestMethod]
    public void CrossValidateGivesFiveFoldsOfMetrics()
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(20));
        var trainer = ml.Regression.Trainers.MriNetTransfer(Regression(null, TransferStrategy.MonoPhase, epochs: 2));

        var folds = ml.Regression.CrossValidate(data, trainer, numberOfFolds: 5, labelColumnName: "Age");

        Assert.HasCount(5, folds);
        // The held-out sets partition the rows, and each fold's metrics are those of its own scores (the LoadNifti
        // pipeline by subject: CrossValidationBySubjectTests).
        var heldOut = new List<string>();
        foreach (var fold in folds)
        {
            var ids = fold.ScoredHoldOutSet.GetColumn<string>("participant_id").ToList();
            var labels = fold.ScoredHoldOutSet.GetColumn<float>("Age").ToList();
            var scores = fold.ScoredHoldOutSet.GetColumn<float>("Score").ToList();
            heldOut.AddRange(ids);
            Assert.AreEqual(HandMetrics.Mae(labels, scores), fold.Metrics.MeanAbsoluteError, 1e-9, $"fold {fold.Fold}: MAE");
            Assert.AreEqual(HandMetrics.Rmse(labels, scores), fold.Metrics.RootMeanSquaredError, 1e-9, $"fold {fold.Fold}: RMSE");
        }
        CollectionAssert.AreEquivalent(TransferData.Rows(20).Select(r => r.participant_id).ToArray(), heldOut.ToArray());
    }

    [TestMethod]
    public void BadOptionsAndColumnsAreReported()
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(6));
        var epochs = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options { Epochs = 0 }));
        StringAssert.Contains(epochs.Message, "Epochs must be at least 1");
        var fraction = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options { ValidationFraction = 1 }));
        StringAssert.Contains(fraction.Message, "ValidationFraction must be in [0, 1)");
        var image = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.MriNetTransfer("Age", "T1").Fit(data));
        StringAssert.Contains(image.Message, "image column 'T1' not found");
        var frozen = Regression(null, TransferStrategy.DualPhase, epochs: 1, fineTune: 1);
        frozen.FrozenLayers = ["conv3d", "nope"];
        var layer = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.MriNetTransfer(frozen).Fit(data));
        StringAssert.Contains(layer.Message, "FrozenLayers names 'nope', which is not a layer of MRInet");
    }

    [TestMethod]
    public void AugmentationFlipsShiftsAndScalesAsDrawn()
    {
        var image = Enumerable.Range(0, 27).Select(i => (float)i).ToArray();
        var options = new AugmentationOptions { FlipProbability = 1, LeftRightAxis = 2 };
        Augmentation.Apply(image, [3, 3, 3], options, new SplitRandom(1), new float[27]);
        // Mirroring the last axis reverses every row of three.
        CollectionAssert.AreEqual(Enumerable.Range(0, 9).SelectMany(r => new float[] { (3 * r) + 2, (3 * r) + 1, 3 * r }).ToArray(), image);

        // Jitter alone: every voxel times one common factor within ±20 %.
        float[] original = [.. Enumerable.Range(0, 27).Select(i => (float)i + 1)];
        var jittered = (float[])original.Clone();
        Augmentation.Apply(jittered, [3, 3, 3], new AugmentationOptions { IntensityJitter = 0.2 }, new SplitRandom(4), new float[27]);
        double factor = jittered[0] / original[0];
        Assert.IsTrue(factor is >= 0.8 and <= 1.2 && factor != 1, $"factor {factor}");
        for (int i = 0; i < 27; i++)
        {
            Assert.AreEqual(original[i] * factor, jittered[i], 1e-4);
        }

        // Shift alone: the result is the volume moved by one of the 27 offsets in {−1, 0, 1}³, zero-filled.
        var shifted = (float[])original.Clone();
        Augmentation.Apply(shifted, [3, 3, 3], new AugmentationOptions { MaxShift = 1 }, new SplitRandom(4), new float[27]);
        float At(int z, int y, int x) => z is < 0 or > 2 || y is < 0 or > 2 || x is < 0 or > 2 ? 0 : original[(((z * 3) + y) * 3) + x];
        var matches = (from dz in new[] { -1, 0, 1 } from dy in new[] { -1, 0, 1 } from dx in new[] { -1, 0, 1 }
                       where Enumerable.Range(0, 27).All(i => shifted[i] == At((i / 9) - dz, (i / 3 % 3) - dy, (i % 3) - dx))
                       select (dz, dy, dx)).ToList();
        Assert.HasCount(1, matches, "exactly one offset explains the shifted volume");
        Assert.AreNotEqual((0, 0, 0), matches[0], "seed 4 draws a real shift");
    }

    [TestMethod]
    public void LoadNiftiThenTrainerSavesAndScoresIdenticallyInAFreshProcess()
    {
        using var dir = TestPaths.Scratch();
        var files = TransferData.Files(dir, 8, 0.7, 0.04);
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(files);
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = TransferData.Shape })
            .Append(ml.Regression.Trainers.MriNetTransfer(Regression(null, TransferStrategy.DualPhase, epochs: 2, fineTune: 1)));
        var model = pipeline.Fit(data);
        var scores = ml.Data.CreateEnumerable<TransferData.Scored>(model.Transform(data), reuseRowObject: false).ToDictionary(r => r.Path, r => r.Score);
        string zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);

        PredictProcess.AssertSameScores(zip, scores, dir.File("cli-cache"));
        using var recovered = MriNetModel.FromModelZip(zip);
        var trained = model.LastTransformer.Model;
        CollectionAssert.AreEqual(Weights(trained).Values.SelectMany(v => v).ToArray(), Weights(recovered).Values.SelectMany(v => v).ToArray());
        // The fit recorded the penultimate features of the 8 images it saw, and the .zip carries them.
        Assert.IsNotNull(trained.SourceStatistics);
        Assert.AreEqual(8, trained.SourceStatistics.Count);
        Assert.AreEqual("data MriNetTransfer was fitted on (8 images)", trained.SourceStatistics.Description);
        Assert.AreEqual(trained.Spec.PenultimateIndex, trained.SourceStatistics.LayerIndex);
        CollectionAssert.AreEqual(trained.SourceStatistics.Mean, recovered.SourceStatistics!.Mean);
        CollectionAssert.AreEqual(trained.SourceStatistics.StandardDeviation, recovered.SourceStatistics.StandardDeviation);
        // The provenance says how the weights were made, and the .zip keeps it.
        StringAssert.StartsWith(trained.Provenance, "new MRInet (seed ");
        StringAssert.Contains(trained.Provenance, $"; trained by MriNetTransfer: DualPhase, {model.LastTransformer.History.Epochs.Count} epochs (best {model.LastTransformer.History.Best!.Epoch}), 8 images, seed ");
        StringAssert.StartsWith(recovered.Provenance, trained.Provenance);
    }
}
