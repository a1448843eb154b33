using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// Relevance maps as a pipeline step: for each row, the relevance of every voxel of the image column for the network's
/// output (<see cref="RelevanceMaps"/>). Create it with <c>ml.Transforms.ExplainMriNet(...)</c>; Fit only checks the
/// image column (nothing is trained and the model is not changed).
/// </summary>
public sealed class ExplainMriNetEstimator : IEstimator<ExplainMriNetTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly MriNetModel _model;
    private readonly string _outputColumnName;
    private readonly string _imageColumnName;
    private readonly RelevanceOptions _options;

    /// <exception cref="NotSupportedException">An LRP method has no rule for one of the network's layers (the layer and the method are named).</exception>
    internal ExplainMriNetEstimator(IHostEnvironment env, string outputColumnName, string imageColumnName, MriNetModel model, ExplainMriNetOptions options)
    {
        _env = env;
        if (outputColumnName == imageColumnName)
        {
            throw new ArgumentException($"the relevance column must differ from the image column ('{imageColumnName}')", nameof(outputColumnName));
        }
        ArgumentNullException.ThrowIfNull(options.Relevance, nameof(options) + "." + nameof(options.Relevance));
        _model = model;
        _outputColumnName = outputColumnName;
        _imageColumnName = imageColumnName;
        // A record: the copy cannot change when the caller's options object does.
        _options = options.Relevance with { };
        RelevanceMaps.CheckOptions(_options, RelevanceMaps.OutputCount(model.Spec));
        RelevanceMaps.CheckSupported(model, _options);
    }

    /// <summary>Checks that the image column holds the network's input size and returns the explaining transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing, not a known-size Single vector, or of another size than the network's input (both shapes are named).</exception>
    public ExplainMriNetTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        NetworkInput.Check(input.Schema, _imageColumnName, _model.InputShape, nameof(input));
        int[] shape = [.. ((VectorDataViewType)input.Schema[_imageColumnName].Type).Dimensions];
        using (var channel = _env.Start("ExplainMriNet"))
        {
            channel.Info(MessageSensitivity.None, $"relevance maps by {_options.Method} of '{_imageColumnName}' into '{_outputColumnName}' ({string.Join('x', shape)})");
        }
        return new ExplainMriNetTransformer(_model, _imageColumnName, _outputColumnName, shape, _options);
    }

    /// <summary>The input plus the relevance column (a known-size vector of Single of the image's shape).</summary>
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
}
