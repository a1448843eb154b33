using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// Frozen features for ML.NET's trainers: the activations of one layer of a pretrained network for each image.
/// Create it with <c>ml.Transforms.MriNetFeaturize(...)</c>; Fit only checks the image column (the network is frozen,
/// nothing is trained and the model is not changed).
/// </summary>
public sealed class MriNetFeaturizeEstimator : IEstimator<MriNetFeaturizeTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly MriNetModel _model;
    private readonly string _outputColumnName;
    private readonly string _imageColumnName;
    private readonly int _layerIndex;
    private readonly bool _flatten;
    private readonly bool _globalAveragePool;

    internal MriNetFeaturizeEstimator(IHostEnvironment env, string outputColumnName, string imageColumnName, MriNetModel model, MriNetFeaturizeOptions options)
    {
        _env = env;
        if (outputColumnName == imageColumnName)
        {
            throw new ArgumentException($"the feature column must differ from the image column ('{imageColumnName}')", nameof(outputColumnName));
        }
        _model = model;
        _outputColumnName = outputColumnName;
        _imageColumnName = imageColumnName;
        // Copied, so changing the options object afterwards does not change this estimator.
        _flatten = options.Flatten;
        _globalAveragePool = options.GlobalAveragePool;
        _layerIndex = ResolveLayer(model.Spec, options);
        if (options.GlobalAveragePool && model.Spec.Shapes()[_layerIndex].Length != 4)
        {
            var layer = model.Spec.Layers[_layerIndex];
            throw new ArgumentOutOfRangeException(nameof(options),
                $"GlobalAveragePool needs a layer with (C, D, H, W) activations; layer {_layerIndex} '{layer.Name}' ({layer.Kind}) gives ({string.Join(", ", model.Spec.Shapes()[_layerIndex])})");
        }
    }

    /// <summary>Checks that the image column holds the network's input size and returns the featurizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing, not a known-size Single vector, or of another size than the network's input.</exception>
    public MriNetFeaturizeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        NetworkInput.Check(input.Schema, _imageColumnName, _model.InputShape, nameof(input));
        using (var channel = _env.Start("MriNetFeaturize"))
        {
            var layer = _model.Spec.Layers[_layerIndex];
            channel.Info(MessageSensitivity.None, $"features of layer {_layerIndex} '{layer.Name}' ({layer.Kind}){(_globalAveragePool ? ", averaged per channel" : "")}");
        }
        return new MriNetFeaturizeTransformer(_model, _imageColumnName, _outputColumnName, _layerIndex, _flatten, _globalAveragePool);
    }

    /// <summary>The input plus the feature column (a known-size vector of Single).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or not a vector of Single.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var image = inputSchema.FirstOrDefault(c => c.Name == _imageColumnName);
        if (image.Name is null || image.ItemType != NumberDataViewType.Single || image.Kind != SchemaShape.Column.VectorKind.Vector)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"image column '{_imageColumnName}' (a known-size vector of Single) not found");
        }
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_outputColumnName] = MLNetInternals.SchemaColumn(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single);
        return new SchemaShape(columns.Values);
    }

    /// <summary>The layer index the options name, or the one before the head; out-of-range indices and unknown names list the valid ones.</summary>
    private static int ResolveLayer(NetworkSpec spec, MriNetFeaturizeOptions options)
    {
        var layers = spec.Layers;
        if (options.LayerIndex is { } index)
        {
            if (options.LayerName is not null)
            {
                throw new ArgumentException("set LayerIndex or LayerName, not both", nameof(options));
            }
            if (index < 0 || index >= layers.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(options), index, $"layer index {index} is outside the network's layers 0..{layers.Count - 1}");
            }
            return index;
        }
        if (options.LayerName is { } name)
        {
            int found = layers.Select(l => l.Name).ToList().IndexOf(name);
            return found >= 0
                ? found
                : throw new ArgumentOutOfRangeException(nameof(options), name, $"the network has no layer '{name}'; its layers are {string.Join(", ", layers.Select(l => l.Name))}");
        }
        int before = spec.HeadIndex - 1;
        // Dropout is the identity at inference; the layer below it gives the same features under a more telling name.
        while (before >= 0 && layers[before].Kind == LayerKind.Dropout)
        {
            before--;
        }
        return before >= 0
            ? before
            : throw new ArgumentOutOfRangeException(nameof(options), $"the network has no layer before its head (head index {spec.HeadIndex}); set LayerIndex or LayerName");
    }
}
