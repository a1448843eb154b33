namespace Xai4Mri.ML.Explanations;

/// <summary>The relevance of one image's voxels for one output, with the facts needed to read it.</summary>
public sealed record RelevanceMap
{
    /// <summary>Relevance per input value, in the image's layout (C, D, H, W, C order).</summary>
    public required float[] Values { get; init; }

    /// <summary>The method that computed the map.</summary>
    public required RelevanceMethod Method { get; init; }

    /// <summary>The explained output: the class index, 0 for regression.</summary>
    public required int Output { get; init; }

    /// <summary>The explained output's value before any final softmax (the logit, or the regression prediction).</summary>
    public required double OutputValue { get; init; }

    /// <summary>The sum of <see cref="Values"/>.</summary>
    public required double RelevanceSum { get; init; }

    /// <summary>
    /// LRP only (null otherwise): relevance that did not reach the input, <see cref="OutputValue"/> − what arrived,
    /// added up layer by layer: what biases and ε took, and what non-conservative rules (αβ with β &gt; 0, masks of
    /// ReLU gradients, iNNvestigate's batch-norm rule) added or removed.
    /// </summary>
    public double? Absorbed { get; init; }

    /// <summary>
    /// LRP only (null otherwise): <see cref="Absorbed"/> per layer of the network's description (index = layer index;
    /// a batch norm folded into its convolution counts with the convolution; layers after the explained output hold 0).
    /// </summary>
    public IReadOnlyList<double>? AbsorbedByLayer { get; init; }
}
