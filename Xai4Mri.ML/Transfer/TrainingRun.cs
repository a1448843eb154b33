using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Training;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// One training of <see cref="MriNetTransferTrainer"/>: reads the data once into an <see cref="ImageStore"/>, splits
/// off validation subjects (<see cref="SubjectSplit"/>), adapts the head, plans the strategy's phases and runs them
/// through the <see cref="TrainingEngine"/>.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
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
            NetworkInput.Check(input.Schema, _o.ImageColumnName, p.InputShape, nameof(input));
            shape = p.InputShape;
        }
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        string? subjectColumn = SubjectColumns.Find(input.Schema, _o.SubjectColumnName);
        if (subjectColumn is not null && input.Schema.GetColumnOrNull(subjectColumn) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"subject column '{subjectColumn}' not found");
        }
        string temporary = _o.CheckpointDirectory ?? Path.GetTempPath();
        var store = Own(ImageStore.Read(input, _o.ImageColumnName, label, subjectColumn, voxels, _o.MaxInMemoryBytes, temporary, CheckAlive));
        if (store.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"label column '{_o.LabelColumnName}' has no values (all missing)");
        }
        int[] train, validation;
        ImageStore validationStore;
        if (_o.ValidationData is { } v)
        {
            LabelColumn.Inspect(v.Schema, _o.LabelColumnName, _kind);
            NetworkInput.Check(v.Schema, _o.ImageColumnName, shape, nameof(MriNetTransferTrainer.Options.ValidationData));
            validationStore = Own(ImageStore.Read(v, _o.ImageColumnName, label, null, voxels, _o.MaxInMemoryBytes, temporary, CheckAlive));
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

        var (mean, sd, _) = ImageBatches.LabelStatistics([.. train.Select(i => (double)store.Targets[i])]);
        var model = _o.PretrainedModel is { } pretrained
            ? HeadAdapter.ForLabel(pretrained, label, mean, mean, sd, _o.Seed)
            // A fresh network records how its input was prepared, so that NiftiLoaderOptions.For(model) conforms new data alike.
            : MriNetModel.CreateMriNet(shape, ModelTask.For(label, _kind == LabelKind.Regression ? mean : null, _kind == LabelKind.Regression ? sd : null), _o.Seed,
                conventions: LoaderPipeline.Of(input.Schema[_o.ImageColumnName])?.Settings.Conventions());
        double learningRate = _o.LearningRate ?? _o.PretrainedModel?.LearningRate ?? TrainingDefaults.LearningRate;
        var phases = Plan(model.Spec, learningRate, _o.FineTuneLearningRate ?? learningRate);
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"{train.Length} training and {validation.Length} validation images of {string.Join('x', shape)} ({(store.OnDisk ? "in a temporary file" : "in memory")}); " +
            $"{_o.Strategy}: {string.Join(", then ", phases.Select(ph => $"{ph.Name} for up to {ph.Epochs} epochs at lr {ph.LearningRate:G3}"))}"));

        var device = ComputeDevice.Select(_env);
        model.Network.to(device);
        var history = new TrainingHistory();
        try
        {
            var engine = new TrainingEngine(model.Network, device, new TrainingEngineOptions
            {
                Kind = _kind,
                Seed = _o.Seed,
                EarlyStoppingPatience = _o.EarlyStoppingPatience,
                EarlyStoppingMinDelta = _o.EarlyStoppingMinDelta,
                RestoreBestBetweenPhases = _o.RestoreBestBetweenPhases,
                KeepBatchNormStatistics = _o.KeepBatchNormStatistics && _o.PretrainedModel is not null,
                Beta1 = _o.Beta1,
                Beta2 = _o.Beta2,
                Epsilon = _o.Epsilon,
                WeightDecay = _o.WeightDecay,
                CheckpointPath = _o.CheckpointDirectory is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null,
                Fingerprint = Fingerprint(model, store, train, validationStore, validation, label),
                Progress = _o.Progress,
                Log = channel,
                CheckAlive = CheckAlive,
            });
            var batches = new StoredImageBatches(store, train, validationStore, validation, shape, _o.BatchSize, _o.Seed, _o.Augmentation);
            engine.Run(phases, batches, history);
        }
        finally
        {
            model.Network.to(CPU);
            model.Network.eval();
        }
        return (model, history);
    }

    private List<TrainingPhase> Plan(NetworkSpec spec, double learningRate, double fineTuneRate)
    {
        int layers = spec.Layers.Count;
        bool[] all = [.. Enumerable.Repeat(true, layers)];
        switch (_o.Strategy)
        {
            case TransferStrategy.MonoPhase:
                return [new TrainingPhase(1, "all layers", _o.Epochs, learningRate, all)];
            case TransferStrategy.LinearProbeThenFineTune:
            {
                int head = spec.HeadIndex;
                bool[] headOnly = [.. Enumerable.Range(0, layers).Select(i => i >= head)];
                var plan = new List<TrainingPhase> { new(1, "head only", _o.Epochs, learningRate, headOnly) };
                if (_o.FineTuneEpochs > 0)
                {
                    plan.Add(new TrainingPhase(2, "all layers", _o.FineTuneEpochs, fineTuneRate, all));
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
                var plan = new List<TrainingPhase> { new(1, "all layers", _o.Epochs, learningRate, all) };
                if (_o.FineTuneEpochs > 0)
                {
                    plan.Add(new TrainingPhase(2, frozen is null ? "dense layers only" : "unfrozen layers", _o.FineTuneEpochs, fineTuneRate, dense));
                }
                return plan;
            }
        }
    }

    /// <summary>
    /// The validation subjects: a share <paramref name="fraction"/> of the distinct subjects (at least one when the
    /// share is positive, none when that would leave no training subject), dealt by <see cref="SubjectSplit"/>.
    /// </summary>
    private static (int[] Train, int[] Validation) SplitBySubject(string[] subjects, double fraction, int seed)
    {
        var distinct = subjects.Distinct(StringComparer.Ordinal).ToList();
        int held = fraction <= 0 ? 0 : Math.Max(1, (int)Math.Round(distinct.Count * fraction));
        if (held >= distinct.Count)
        {
            held = 0;
        }
        var split = SubjectSplit.WithSizes(distinct, distinct.Count - held, held, seed);
        var rows = Enumerable.Range(0, subjects.Length);
        return ([.. rows.Where(r => split.PartOf(subjects[r]) != SubjectSplitPart.Validation)], [.. rows.Where(r => split.PartOf(subjects[r]) == SubjectSplitPart.Validation)]);
    }

    private int[] ImageShape(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_o.ImageColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"image column '{_o.ImageColumnName}' not found (add ml.Transforms.LoadNifti(\"{_o.ImageColumnName}\", ...) before the trainer)");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } vector || item != NumberDataViewType.Single || vector.Dimensions.Length != 3)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"image column '{_o.ImageColumnName}' is {column.Type}; the trainer needs a known-size Vector<Single, D, H, W> (LoadNifti's output)");
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

    private static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

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
