using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// xai4mri's <c>adapt_model</c> as an ML.NET estimator: Fit reads the label column (a key → that many classes and
/// their names; Boolean → two classes; Single → regression with the label mean as target bias), gives the pretrained
/// network a fitting head, optionally warms up only that head on frozen features, and returns a transformer that
/// scores. Create it with <c>ml.Transforms.AdaptHead(...)</c>.
/// </summary>
public sealed class AdaptHeadEstimator : IEstimator<MriNetPredictionTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly MriNetModel _pretrained;
    private readonly string _labelColumnName;
    private readonly string _imageColumnName;
    private readonly AdaptHeadOptions _options;

    internal AdaptHeadEstimator(IHostEnvironment env, string labelColumnName, string imageColumnName, MriNetModel pretrained, AdaptHeadOptions options)
    {
        if (options.WarmupEpochs < 0 || options.BatchSize < 1 || !(options.LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "AdaptHead needs WarmupEpochs >= 0, BatchSize >= 1 and LearningRate > 0");
        }
        _env = env;
        _pretrained = pretrained;
        _labelColumnName = labelColumnName;
        _imageColumnName = imageColumnName;
        _options = options;
    }

    /// <summary>Adapts the head to the label column of <paramref name="input"/> (and warms it up when asked).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or image column is missing or of the wrong type.</exception>
    public MriNetPredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var label = LabelColumn.Inspect(input.Schema, _labelColumnName);
        NetworkInput.Check(input.Schema, _imageColumnName, _pretrained.InputShape, nameof(input));
        var (mean, sd, count) = label.Kind == LabelKind.Regression ? ImageBatches.LabelStatistics(input, label) : (0, 0, -1);
        if (count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"label column '{_labelColumnName}' has no values (all missing)");
        }
        var adapted = HeadAdapter.ForLabel(_pretrained, label, _options.TargetBias ?? mean, _options.TargetBias ?? mean, sd, _options.Seed);
        var history = new TrainingHistory();
        if (_options.WarmupEpochs > 0)
        {
            using var channel = _env.Start("AdaptHead");
            var device = ComputeDevice.Select(_env);
            adapted.Network.to(device);
            try
            {
                var features = FrozenFeatures.Compute(adapted.Network, input, _imageColumnName, label, adapted.Spec.HeadIndex - 1, _options.BatchSize, device);
                channel.Info(MessageSensitivity.None, $"{features.Targets.Length} images → {features.Features.FirstOrDefault()?.Length ?? 0} frozen features each; warming up the head for {_options.WarmupEpochs} epochs");
                HeadWarmup.Run(adapted.Network, features, label.Kind, _options.WarmupEpochs, _options.LearningRate, _options.BatchSize, _options.Seed, device, history, channel,
                    () => MLNetInternals.CheckAlive(_env));
            }
            finally
            {
                adapted.Network.to(TorchSharp.torch.CPU);
            }
        }
        adapted.Network.eval();
        return new MriNetPredictionTransformer(adapted, _imageColumnName, label.Kind, history);
    }

    /// <summary>The input plus the score columns for the label's kind.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var image = inputSchema.FirstOrDefault(c => c.Name == _imageColumnName);
        if (image.Name is null || image.ItemType != NumberDataViewType.Single || image.Kind == SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"image column '{_imageColumnName}' (a vector of Single) not found");
        }
        var label = inputSchema.FirstOrDefault(c => c.Name == _labelColumnName);
        if (label.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"label column '{_labelColumnName}' not found");
        }
        var kind = label.IsKey ? LabelKind.MulticlassClassification : label.ItemType is BooleanDataViewType ? LabelKind.BinaryClassification : LabelKind.Regression;
        return ScoreColumns.Add(inputSchema, kind);
    }
}
