namespace Xai4Mri.ML.Models;

/// <summary>A Keras model imported by <see cref="KerasImporter"/>: the network with its weights and what Keras recorded about it.</summary>
public sealed class KerasModel
{
    /// <summary>The network, weights loaded, in evaluation mode; it takes channels-first input [N, C, D, H, W].</summary>
    public required NetworkModule Network { get; init; }

    /// <summary>The Keras model's name (e.g. xai4mri's <c>MRInet.create(name=…)</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The input shape as Keras declares it, channels last and without batch: [D, H, W, C].</summary>
    public required int[] KerasInputShape { get; init; }

    /// <summary>The Keras version that wrote the file, or "" when the file does not say.</summary>
    public string KerasVersion { get; init; } = "";
}
