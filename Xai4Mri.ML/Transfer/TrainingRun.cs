using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Study;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// One training of <see cref="MriNetTransferTrainer"/>: reads the data once into an <see cref="ImageStore"/>, splits
/// off validation subjects, adapts the head, and runs the strategy's phases epoch by epoch with a background thread
/// assembling the next batches, early stopping, the best-validation weights, and a checkpoint after every epoch.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private sealed record PhasePlan(int Number, string Name, int Epochs, double LearningRate, bool[] Trainable);

    private sealed record Batch(float[] Images, float[] Targets, int Count);

    private readonly IHostEnvironment _env;
    private readonly LabelKind _kind;
    private readonly MriNetTransferTrainer.Options _o;
    private readonly List<IDisposable> _owned = [];

    public TrainingRun(IHostEnvironment env, LabelKind kind, MriNetTransferTrainer.Options options)
    {
        _env = env;
        _kind = kind;
        _o = options;
    }

    public (MriNetModel Model, TrainingHistory History) Train(IDataView input)
    {
        using var channel = _env.Start("MriNetTransfer");
        var label = LabelColumn.Inspect(input.Schema, _o.LabelColumnName, _kind);
        int[] shape = ImageShape(input.Schema);
        if (_o.PretrainedModel is { } p)
        {
            NetworkInput.Check(input.Schema, _o.FeatureColumnName, p.InputShape, nameof(input));
            shape = p.InputShape;
        }
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        string? subjectColumn = SubjectColumns.Find(input.Schema, _o.SubjectColumnName);
        if (subjectColumn is not null && input.Schema.GetColumnOrNull(subjectColumn) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"subject column '{subjectColumn}' not found");
        }
        string temporary = _o.CheckpointDirectory ?? Path.GetTempPath();
        var store = Own(ImageStore.Read(input, _o.FeatureColumnName, label, subjectColumn, voxels, _o.MaxInMemoryBytes, temporary, CheckAlive));
        if (store.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"label column '{_o.LabelColumnName}' has no values (all missing)");
        }
        int[] train, validation;
        ImageStore validationStore;
        if (_o.ValidationData is { } v)
        {
            LabelColumn.Inspect(v.Schema, _o.LabelColumnName, _kind);
            NetworkInput.Check(v.Schema, _o.FeatureColumnName, shape, nameof(MriNetTransferTrainer.Options.ValidationData));
            validationStore = Own(ImageStore.Read(v, _o.FeatureColumnName, label, null, voxels, _o.MaxInMemoryBytes, temporary, CheckAlive));
            train = [.. Enumerable.Range(0, store.Count)];
            validation = [.. Enumerable.Range(0, validationStore.Count)];
        }
        else
        {
            (train, validation) = SplitBySubject(store.Subjects, _o.ValidationFraction, _o.Seed);
            validationStore = store;
        }
        if (train.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), "no training rows are left after the validation split; lower ValidationFraction");
        }

        var trainTargets = train.Select(i => (double)store.Targets[i]).ToList();
        double mean = trainTargets.Average();
        double sd = trainTargets.Count < 2 ? 0 : Math.Sqrt(trainTargets.Sum(t => (t - mean) * (t - mean)) / (trainTargets.Count - 1));
        var task = ModelTask.For(label, _kind == LabelKind.Regression ? mean : null, _kind == LabelKind.Regression ? sd : null);
        var model = _o.PretrainedModel is { } pretrained
            ? HeadAdapter.Adapt(pretrained, _kind == LabelKind.Regression ? 0 : label.ClassNames.Count, mean, label.ClassNames, _o.Seed).WithTask(task)
            : MriNetModel.CreateMriNet(shape, task, _o.Seed);
        double learningRate = _o.LearningRate ?? _o.PretrainedModel?.LearningRate ?? 5e-4;
        var phases = Plan(model.Spec, learningRate, _o.FineTuneLearningRate ?? learningRate);
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"{train.Length} training and {validation.Length} validation images of {string.Join('x', shape)} ({(store.OnDisk ? "in a temporary file" : "in memory")}); " +
            $"{_o.Strategy}: {string.Join(", then ", phases.Select(ph => $"{ph.Name} for up to {ph.Epochs} epochs at lr {ph.LearningRate:G3}"))}"));

        var device = ComputeDevice.Select(_env);
        model.Network.to(device);
        var history = new TrainingHistory();
        try
        {
            Run(model, phases, store, train, validationStore, validation, shape, device, history, label, channel);
        }
        finally
        {
            model.Network.to(CPU);
            model.Network.eval();
        }
        return (model, history);
    }

    private void Run(MriNetModel model, IReadOnlyList<PhasePlan> phases, ImageStore store, int[] train, ImageStore validationStore, int[] validation,
        int[] shape, Device device, TrainingHistory history, LabelColumn label, IChannel channel)
    {
        var network = model.Network;
        var spec = model.Spec;
        var state = network.state_dict();
        string? checkpointPath = _o.CheckpointDirectory is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;
        string fingerprint = Fingerprint(model, store, train, validationStore, validation, label);
        int phaseIndex = 0, epochInPhase = 0, wait = 0;
        double best = double.PositiveInfinity, phaseBest = double.PositiveInfinity;
        long steps = 0;
        bool phaseFinished = false;
        float[][] bestWeights = Snapshot(state);
        List<float[]>? restoredMoments = null;
        if (checkpointPath is not null)
        {
            Directory.CreateDirectory(_o.CheckpointDirectory!);
            var (saved, tensors, problem) = TrainingCheckpoint.TryLoad(checkpointPath, fingerprint);
            if (problem is not null)
            {
                channel.Warning(MessageSensitivity.UserData, $"ignoring the checkpoint in {checkpointPath}: {problem}");
            }
            if (saved is not null)
            {
                int n = state.Count;
                Load(state, tensors.Take(n).ToList());
                bestWeights = [.. tensors.Skip(n).Take(n)];
                restoredMoments = [.. tensors.Skip(2 * n)];
                (phaseIndex, epochInPhase, wait, best, phaseBest, steps, phaseFinished) =
                    (saved.Phase - 1, saved.EpochInPhase, saved.Wait, saved.BestLoss, saved.PhaseBestLoss, saved.OptimizerSteps, saved.PhaseFinished);
                foreach (var e in saved.History)
                {
                    history.Add(e);
                }
                channel.Info(MessageSensitivity.None, $"resuming from {checkpointPath} after epoch {history.Epochs.Count}");
                if (saved.Completed)
                {
                    Load(state, bestWeights);
                    return;
                }
            }
        }
        int plannedTotal = phases.Sum(ph => ph.Epochs);
        var clock = Stopwatch.StartNew();
        int epochsRun = 0;
        for (; phaseIndex < phases.Count; phaseIndex++)
        {
            var phase = phases[phaseIndex];
            if (phaseFinished)
            {
                (phaseFinished, epochInPhase, wait, phaseBest, steps, restoredMoments) = (false, 0, 0, double.PositiveInfinity, 0, null);
                continue;
            }
            SetTrainable(network, phase.Trainable, _o.KeepBatchNormStatistics && _o.PretrainedModel is not null);
            using var optimizer = new AdamOptimizer(network.parameters().Where(p => p.requires_grad), _o.Beta1, _o.Beta2, _o.Epsilon, _o.WeightDecay);
            if (restoredMoments is not null)
            {
                optimizer.Restore(steps, restoredMoments);
                restoredMoments = null;
            }
            while (epochInPhase < phase.Epochs && !phaseFinished)
            {
                CheckAlive();
                epochInPhase++;
                int epoch = history.Epochs.Count + 1;
                var started = clock.Elapsed;
                var (trainLoss, trainMetric) = TrainEpoch(network, spec, phase, optimizer, store, train, shape, device, epoch);
                (double Loss, double Metric)? val = validation.Length > 0 ? Evaluate(network, spec, validationStore, validation, shape, device) : null;
                SetTrainable(network, phase.Trainable, _o.KeepBatchNormStatistics && _o.PretrainedModel is not null);
                double monitored = val?.Loss ?? trainLoss;
                bool isBest = monitored < best;
                if (isBest)
                {
                    best = monitored;
                    bestWeights = Snapshot(state);
                }
                if (monitored < phaseBest - _o.EarlyStoppingMinDelta)
                {
                    phaseBest = monitored;
                    wait = 0;
                }
                else
                {
                    wait++;
                }
                bool stop = _o.EarlyStoppingPatience > 0 && wait >= _o.EarlyStoppingPatience;
                phaseFinished = stop || epochInPhase == phase.Epochs;
                epochsRun++;
                double seconds = (clock.Elapsed - started).TotalSeconds;
                int remaining = phases.Skip(phaseIndex + 1).Sum(ph => ph.Epochs) + (phaseFinished ? 0 : phase.Epochs - epochInPhase);
                var progress = new TrainingProgress
                {
                    Phase = phase.Number,
                    PhaseCount = phases.Count,
                    PhaseName = phase.Name,
                    Epoch = epoch,
                    EpochInPhase = epochInPhase,
                    EpochsInPhase = phase.Epochs,
                    TrainLoss = trainLoss,
                    ValidationLoss = val?.Loss,
                    MetricName = NetworkLoss.MetricName(_kind),
                    TrainMetric = trainMetric,
                    ValidationMetric = val?.Metric,
                    Seconds = seconds,
                    EstimatedRemaining = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / epochsRun * remaining),
                    IsBest = isBest,
                };
                history.Add(progress);
                if (phaseFinished && _o.RestoreBestBetweenPhases)
                {
                    // The next phase starts from the best weights so far, not from where this one drifted to.
                    Load(state, bestWeights);
                }
                bool completed = phaseFinished && phaseIndex == phases.Count - 1;
                if (checkpointPath is not null)
                {
                    var checkpoint = new TrainingCheckpoint
                    {
                        Fingerprint = fingerprint,
                        Phase = phaseIndex + 1,
                        EpochInPhase = epochInPhase,
                        PhaseFinished = phaseFinished,
                        Completed = completed,
                        BestLoss = best,
                        PhaseBestLoss = phaseBest,
                        Wait = wait,
                        OptimizerSteps = optimizer.Steps,
                        History = history.Epochs,
                    };
                    TrainingCheckpoint.Save(checkpointPath, checkpoint, [.. Snapshot(state), .. bestWeights, .. optimizer.State.Select(ToArray)]);
                }
                channel.Info(MessageSensitivity.None, $"{progress}{(stop ? $" — early stop: no improvement > {_o.EarlyStoppingMinDelta} for {wait} epochs" : "")}");
                _o.Progress?.Report(progress);
            }
            (phaseFinished, epochInPhase, wait, phaseBest) = (false, 0, 0, double.PositiveInfinity);
        }
        Load(state, bestWeights);
    }

    private (double Loss, double Metric) TrainEpoch(SpecNetwork network, NetworkSpec spec, PhasePlan phase, AdamOptimizer optimizer, ImageStore store, int[] rows,
        int[] shape, Device device, int epoch)
    {
        var order = (int[])rows.Clone();
        new SplitRandom(Mix(_o.Seed, epoch, 0)).Shuffle(order);
        // Seeded per epoch, so that a resumed run draws the same dropout masks as an uninterrupted one.
        network.SeedDropout(Mix(_o.Seed, epoch, 1));
        int last = NetworkLoss.LastTrainingLayer(spec, _kind);
        long[] batchShape = [0, .. spec.InputShape.Select(d => (long)d)];
        double lossSum = 0, metricSum = 0;
        foreach (var batch in Prefetch(store, order, shape, epoch))
        {
            using var scope = NewDisposeScope();
            batchShape[0] = batch.Count;
            var x = OwnedTensor.From(batch.Images, batchShape).to(device);
            var y = OwnedTensor.From(batch.Targets).to(device);
            var output = network.ForwardTo(x, last);
            var loss = NetworkLoss.Compute(output, y, spec, _kind);
            loss.backward();
            optimizer.Step(phase.LearningRate);
            lossSum += loss.ToDouble() * batch.Count;
            metricSum += NetworkLoss.MetricSum(output.detach(), y, _kind);
        }
        return (lossSum / rows.Length, metricSum / rows.Length);
    }

    private (double Loss, double Metric) Evaluate(SpecNetwork network, NetworkSpec spec, ImageStore store, int[] rows, int[] shape, Device device)
    {
        network.eval();
        using var _ = no_grad();
        int last = NetworkLoss.LastTrainingLayer(spec, _kind);
        long[] batchShape = [0, .. spec.InputShape.Select(d => (long)d)];
        double lossSum = 0, metricSum = 0;
        foreach (var batch in Prefetch(store, rows, shape, epoch: null))
        {
            using var scope = NewDisposeScope();
            batchShape[0] = batch.Count;
            var x = OwnedTensor.From(batch.Images, batchShape).to(device);
            var y = OwnedTensor.From(batch.Targets).to(device);
            var output = network.ForwardTo(x, last);
            lossSum += NetworkLoss.Compute(output, y, spec, _kind).ToDouble() * batch.Count;
            metricSum += NetworkLoss.MetricSum(output, y, _kind);
        }
        return (lossSum / rows.Length, metricSum / rows.Length);
    }

    /// <summary>
    /// Batches of <paramref name="order"/> assembled (copied from the store, augmented when <paramref name="epoch"/> is
    /// given) on a background thread, up to two batches ahead of the consumer.
    /// </summary>
    private IEnumerable<Batch> Prefetch(ImageStore store, int[] order, int[] shape, int? epoch)
    {
        int voxels = store.Voxels;
        using var queue = new BlockingCollection<Batch>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var augmentation = epoch is not null && _o.Augmentation is { IsActive: true } a ? a : null;
        var producer = Task.Run(() =>
        {
            try
            {
                var scratch = augmentation is null ? [] : new float[voxels];
                for (int start = 0; start < order.Length && !stop.IsCancellationRequested; start += _o.BatchSize)
                {
                    int count = Math.Min(_o.BatchSize, order.Length - start);
                    var images = new float[count * voxels];
                    var targets = new float[count];
                    for (int i = 0; i < count; i++)
                    {
                        int row = order[start + i];
                        var image = images.AsSpan(i * voxels, voxels);
                        store.CopyTo(row, image);
                        targets[i] = store.Targets[row];
                        if (augmentation is not null)
                        {
                            Augmentation.Apply(image, shape, augmentation, new SplitRandom(Mix(_o.Seed, epoch!.Value, 2 + row)), scratch);
                        }
                    }
                    queue.Add(new Batch(images, targets, count), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early (an error or cancellation); nothing more to deliver.
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            producer.GetAwaiter().GetResult();
        }
    }

    private List<PhasePlan> Plan(NetworkSpec spec, double learningRate, double fineTuneRate)
    {
        int layers = spec.Layers.Count;
        bool[] all = [.. Enumerable.Repeat(true, layers)];
        switch (_o.Strategy)
        {
            case TransferStrategy.MonoPhase:
                return [new PhasePlan(1, "all layers", _o.Epochs, learningRate, all)];
            case TransferStrategy.LinearProbeThenFineTune:
            {
                int head = spec.HeadIndex;
                bool[] headOnly = [.. Enumerable.Range(0, layers).Select(i => i >= head)];
                var plan = new List<PhasePlan> { new(1, "head only", _o.Epochs, learningRate, headOnly) };
                if (_o.FineTuneEpochs > 0)
                {
                    plan.Add(new PhasePlan(2, "all layers", _o.FineTuneEpochs, fineTuneRate, all));
                }
                return plan;
            }
            default:
            {
                var frozen = _o.FrozenLayers is { } names ? new HashSet<string>(names, StringComparer.Ordinal) : null;
                if (frozen?.Except(spec.Layers.Select(l => l.Name)).FirstOrDefault() is { } unknown)
                {
                    throw new ArgumentOutOfRangeException(nameof(MriNetTransferTrainer.Options.FrozenLayers),
                        $"FrozenLayers names '{unknown}', which is not a layer of {spec.Architecture} (layers: {string.Join(", ", spec.Layers.Select(l => l.Name))})");
                }
                bool[] dense = [.. spec.Layers.Select(l => frozen is null ? l.Kind == LayerKind.Dense : !frozen.Contains(l.Name))];
                var plan = new List<PhasePlan> { new(1, "all layers", _o.Epochs, learningRate, all) };
                if (_o.FineTuneEpochs > 0)
                {
                    plan.Add(new PhasePlan(2, frozen is null ? "dense layers only" : "unfrozen layers", _o.FineTuneEpochs, fineTuneRate, dense));
                }
                return plan;
            }
        }
    }

    /// <summary>
    /// Gradients only for the trainable layers; frozen layers also run in inference mode (batch norm keeps its
    /// running statistics, as Keras does for non-trainable BatchNormalization). With
    /// <paramref name="keepBatchNormStatistics"/> every batch-norm layer runs in inference mode, trainable or not.
    /// </summary>
    private static void SetTrainable(SpecNetwork network, bool[] trainable, bool keepBatchNormStatistics)
    {
        network.train();
        for (int i = 0; i < trainable.Length; i++)
        {
            var layer = network.Layer(i);
            foreach (var p in layer.parameters())
            {
                p.requires_grad = trainable[i];
            }
            bool batchNorm = network.Spec.Layers[i].Kind == LayerKind.BatchNorm3d;
            if ((!trainable[i] && layer.parameters().Any()) || (batchNorm && keepBatchNormStatistics))
            {
                layer.eval();
            }
        }
    }

    private static (int[] Train, int[] Validation) SplitBySubject(string[] subjects, double fraction, int seed)
    {
        var distinct = subjects.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        int held = fraction <= 0 ? 0 : Math.Max(1, (int)Math.Round(distinct.Count * fraction));
        if (held >= distinct.Count)
        {
            held = 0;
        }
        new SplitRandom(seed).Shuffle(distinct);
        var validationSubjects = new HashSet<string>(distinct.Take(held), StringComparer.Ordinal);
        var rows = Enumerable.Range(0, subjects.Length);
        return ([.. rows.Where(r => !validationSubjects.Contains(subjects[r]))], [.. rows.Where(r => validationSubjects.Contains(subjects[r]))]);
    }

    private int[] ImageShape(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_o.FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"image column '{_o.FeatureColumnName}' not found (add ml.Transforms.LoadNifti(\"{_o.FeatureColumnName}\", ...) before the trainer)");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } vector || item != NumberDataViewType.Single || vector.Dimensions.Length != 3)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"image column '{_o.FeatureColumnName}' is {column.Type}; the trainer needs a known-size Vector<Single, D, H, W> (LoadNifti's output)");
        }
        return [.. vector.Dimensions];
    }

    /// <summary>What makes two runs the same run: initial weights, options, and the targets and subjects of both splits.</summary>
    private string Fingerprint(MriNetModel model, ImageStore store, int[] train, ImageStore validationStore, int[] validation, LabelColumn label)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(model.Spec.ToJson());
        foreach (var (name, tensor) in model.Network.state_dict())
        {
            Add(name);
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ToArray(tensor).AsSpan()));
        }
        var o = _o;
        Add(string.Create(CultureInfo.InvariantCulture, $"{_kind}|{label.Name}|{string.Join(",", label.ClassNames)}|{o.Strategy}|{o.Epochs}|{o.FineTuneEpochs}|{o.LearningRate}|{o.FineTuneLearningRate}|{o.BatchSize}|{o.Beta1}|{o.Beta2}|{o.Epsilon}|{o.WeightDecay}|{o.ValidationFraction}|{o.EarlyStoppingPatience}|{o.EarlyStoppingMinDelta}|{string.Join(",", o.FrozenLayers ?? [])}|{o.Seed}|{o.Augmentation?.FlipProbability}|{o.Augmentation?.LeftRightAxis}|{o.Augmentation?.MaxShift}|{o.Augmentation?.IntensityJitter}|{o.KeepBatchNormStatistics}|{o.RestoreBestBetweenPhases}"));
        foreach (int r in train)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"t{store.Subjects[r]}:{store.Targets[r]:R}"));
        }
        foreach (int r in validation)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"v{validationStore.Subjects[r]}:{validationStore.Targets[r]:R}"));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static float[][] Snapshot(Dictionary<string, Tensor> state) => [.. state.Values.Select(ToArray)];

    private static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    private static void Load(Dictionary<string, Tensor> state, IReadOnlyList<float[]> values)
    {
        using var _ = no_grad();
        int i = 0;
        foreach (var t in state.Values)
        {
            using var source = tensor(values[i++], t.shape);
            t.copy_(source);
        }
    }

    private static long Mix(int seed, int epoch, int stream) =>
        (long)(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)(uint)stream * 0x165667B19E3779F9UL) & long.MaxValue);

    private void CheckAlive() => MLNetInternals.CheckAlive(_env);

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }
    }
}
