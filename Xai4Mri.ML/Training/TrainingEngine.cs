using System.Diagnostics;
using Microsoft.ML.Runtime;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Training;

/// <summary>
/// The one training loop: phases of epochs over an <see cref="IBatchSource"/> with Adam (<see cref="AdamOptimizer"/>),
/// early stopping, the best weights kept (by validation loss, else training loss) and restored at the end, a
/// checkpoint after every epoch that a rerun resumes from bit for bit, and a progress report per epoch. The
/// trainer, the head warm-up and the analysis's step timing all run through it.
/// </summary>
internal sealed class TrainingEngine
{
    private readonly NetworkModule _network;
    private readonly Device _device;
    private readonly TrainingEngineOptions _o;
    private readonly int _lastLayer;

    /// <summary>An engine for <paramref name="network"/>, which must already be on <paramref name="device"/>.</summary>
    public TrainingEngine(NetworkModule network, Device device, TrainingEngineOptions options)
    {
        _network = network;
        _device = device;
        _o = options;
        _lastLayer = NetworkLoss.LastTrainingLayer(network.Spec, options.Kind);
    }

    /// <summary>Runs <paramref name="phases"/>; the network ends with the best weights. Epoch reports are appended to <paramref name="history"/>.</summary>
    /// <exception cref="OperationCanceledException"><see cref="TrainingEngineOptions.CheckAlive"/> threw; the last checkpoint is kept.</exception>
    public void Run(IReadOnlyList<TrainingPhase> phases, IBatchSource data, TrainingHistory history)
    {
        var state = _network.state_dict();
        string? checkpointPath = _o.CheckpointPath;
        int phaseIndex = 0, epochInPhase = 0, wait = 0;
        double best = double.PositiveInfinity, phaseBest = double.PositiveInfinity;
        long steps = 0;
        bool phaseFinished = false;
        float[][] bestWeights = Snapshot(state);
        List<float[]>? restoredMoments = null;
        if (checkpointPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!);
            var (saved, tensors, problem) = TrainingCheckpoint.TryLoad(checkpointPath, _o.Fingerprint);
            if (problem is not null)
            {
                _o.Log?.Warning(MessageSensitivity.UserData, $"ignoring the checkpoint in {checkpointPath}: {problem}");
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
                _o.Log?.Info(MessageSensitivity.None, $"resuming from {checkpointPath} after epoch {history.Epochs.Count}");
                if (saved.Completed)
                {
                    Load(state, bestWeights);
                    return;
                }
            }
        }
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
            SetTrainable(phase.Trainable);
            using var optimizer = NewOptimizer();
            if (restoredMoments is not null)
            {
                optimizer.Restore(steps, restoredMoments);
                restoredMoments = null;
            }
            while (epochInPhase < phase.Epochs && !phaseFinished)
            {
                _o.CheckAlive?.Invoke();
                epochInPhase++;
                int epoch = history.Epochs.Count + 1;
                var started = clock.Elapsed;
                // Seeded per epoch, so that a resumed run draws the same dropout masks as an uninterrupted one.
                _network.SeedDropout(Seeds.Mix(_o.Seed, epoch, 1));
                var (trainLoss, trainMetric) = TrainEpoch(phase, optimizer, data.TrainingBatches(epoch), data.TrainingCount, data.InputShape);
                (double Loss, double Metric)? val = data.ValidationCount > 0 ? Evaluate(data.ValidationBatches(), data.ValidationCount, data.InputShape) : null;
                SetTrainable(phase.Trainable);
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
                    MetricName = NetworkLoss.MetricName(_o.Kind),
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
                        Fingerprint = _o.Fingerprint,
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
                _o.Log?.Info(MessageSensitivity.None, $"{progress}{(stop ? $" — early stop: no improvement > {_o.EarlyStoppingMinDelta} for {wait} epochs" : "")}");
                _o.Progress?.Report(progress);
            }
            (phaseFinished, epochInPhase, wait, phaseBest) = (false, 0, 0, double.PositiveInfinity);
        }
        Load(state, bestWeights);
    }

    /// <summary>An optimiser over the parameters that currently learn.</summary>
    public AdamOptimizer NewOptimizer() =>
        new(_network.parameters().Where(p => p.requires_grad), _o.Beta1, _o.Beta2, _o.Epsilon, _o.WeightDecay);

    /// <summary>One optimiser step on <paramref name="batch"/> (forward, loss, backward, update); returns the batch's mean loss and metric sum.</summary>
    public (double Loss, double MetricSum) Step(TrainingBatch batch, long[] inputShape, AdamOptimizer optimizer, double learningRate)
    {
        using var scope = NewDisposeScope();
        var x = OwnedTensor.From(batch.Inputs, [batch.Count, .. inputShape]).to(_device);
        var y = OwnedTensor.From(batch.Targets).to(_device);
        var output = _network.Forward(x, _o.FirstLayer, _lastLayer);
        var loss = NetworkLoss.Compute(output, y, _network.Spec, _o.Kind);
        loss.backward();
        optimizer.Step(learningRate);
        return (loss.ToDouble(), NetworkLoss.MetricSum(output.detach(), y, _o.Kind));
    }

    /// <summary>Mean loss and metric over <paramref name="batches"/> (<paramref name="count"/> rows) in inference mode, without gradients.</summary>
    public (double Loss, double Metric) Evaluate(IEnumerable<TrainingBatch> batches, int count, long[] inputShape)
    {
        _network.eval();
        using var _ = no_grad();
        double lossSum = 0, metricSum = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            var x = OwnedTensor.From(batch.Inputs, [batch.Count, .. inputShape]).to(_device);
            var y = OwnedTensor.From(batch.Targets).to(_device);
            var output = _network.Forward(x, _o.FirstLayer, _lastLayer);
            lossSum += NetworkLoss.Compute(output, y, _network.Spec, _o.Kind).ToDouble() * batch.Count;
            metricSum += NetworkLoss.MetricSum(output, y, _o.Kind);
        }
        return (lossSum / count, metricSum / count);
    }

    /// <summary>
    /// Gradients only for the trainable layers; frozen layers also run in inference mode (batch norm keeps its
    /// running statistics, as Keras does for non-trainable BatchNormalization). With
    /// <see cref="TrainingEngineOptions.KeepBatchNormStatistics"/> every batch-norm layer runs in inference mode.
    /// </summary>
    public void SetTrainable(bool[] trainable)
    {
        _network.train();
        for (int i = 0; i < trainable.Length; i++)
        {
            var layer = _network.Layer(i);
            foreach (var p in layer.parameters())
            {
                p.requires_grad = trainable[i];
            }
            bool batchNorm = _network.Spec.Layers[i].Kind == LayerKind.BatchNorm3d;
            if ((!trainable[i] && layer.parameters().Any()) || (batchNorm && _o.KeepBatchNormStatistics))
            {
                layer.eval();
            }
        }
    }

    private (double Loss, double Metric) TrainEpoch(TrainingPhase phase, AdamOptimizer optimizer, IEnumerable<TrainingBatch> batches, int count, long[] inputShape)
    {
        double lossSum = 0, metricSum = 0;
        foreach (var batch in batches)
        {
            var (loss, metric) = Step(batch, inputShape, optimizer, phase.LearningRate);
            lossSum += loss * batch.Count;
            metricSum += metric;
        }
        return (lossSum / count, metricSum / count);
    }

    /// <summary>The values of every tensor of a state dict (CPU, float32), in its order.</summary>
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
}
