namespace Xai4Mri.ML.Transfer;

/// <summary>Options of <c>ml.Transforms.MriNetFeaturize</c>: which layer's activations become the features, and in what form.</summary>
public sealed class MriNetFeaturizeOptions
{
    /// <summary>
    /// Index into <c>model.Spec.Layers</c> of the layer whose activations are the features. Null (and
    /// <see cref="LayerName"/> null) = the layer just before the head (<c>Spec.HeadIndex - 1</c>, stepping back over a
    /// Dropout), the usual transfer-learning features.
    /// </summary>
    public int? LayerIndex { get; set; }

    /// <summary>Name of that layer instead of its index (e.g. "conv3d_2" in MRInet); set at most one of the two.</summary>
    public string? LayerName { get; set; }

    /// <summary>
    /// True (default): the output column is a flat <c>Vector&lt;Single, F&gt;</c>. False: it keeps the layer's shape,
    /// e.g. <c>Vector&lt;Single, C, D, H, W&gt;</c> for a conv layer (ML.NET trainers read both as F values).
    /// </summary>
    public bool Flatten { get; set; } = true;

    /// <summary>
    /// Average a conv layer's (C, D, H, W) activations over D, H and W, giving one value per channel (C features
    /// instead of C·D·H·W). Only for layers with spatial axes.
    /// </summary>
    public bool GlobalAveragePool { get; set; }
}
