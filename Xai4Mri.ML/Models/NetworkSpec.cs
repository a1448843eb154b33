using System.Text.Json;

namespace Xai4Mri.ML.Models;

/// <summary>
/// A feed-forward 3-D CNN as data: input shape and an ordered list of layers. MRInet, SFCN and imported Keras or
/// PyTorch models are all described this way, so that building, saving, importing and ONNX export share one form.
/// </summary>
public sealed record NetworkSpec
{
    /// <summary>Architecture name (e.g. "MRInet", "SFCN").</summary>
    public string Architecture { get; init; } = "";

    /// <summary>Input shape without batch, channels first: [C, D, H, W].</summary>
    public int[] InputShape { get; init; } = [1, 1, 1, 1];

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; init; } = [];

    /// <summary>Shape after each layer (without batch).</summary>
    /// <exception cref="ArgumentException">A layer does not fit its input.</exception>
    public IReadOnlyList<int[]> Shapes()
    {
        var shapes = new List<int[]>();
        int[] shape = InputShape;
        foreach (var layer in Layers)
        {
            shape = layer.OutputShape(shape);
            shapes.Add(shape);
        }
        return shapes;
    }

    /// <summary>Output shape (without batch).</summary>
    public int[] OutputShape => Shapes().LastOrDefault() ?? InputShape;

    /// <summary>The index of the last layer with weights (the head that <c>HeadAdapter</c> replaces), or −1.</summary>
    public int HeadIndex => Layers.Select((l, i) => (l, i)).LastOrDefault(x => x.l.HasWeights && x.l.Kind is LayerKind.Dense or LayerKind.Conv3d, (null!, -1)).Item2;

    /// <summary>The layer whose output feeds the head, skipping dropout (the default feature layer); −1 without a head.</summary>
    internal int PenultimateIndex
    {
        get
        {
            int i = HeadIndex - 1;
            while (i > 0 && Layers[i].Kind == LayerKind.Dropout)
            {
                i--;
            }
            return HeadIndex < 0 ? -1 : i;
        }
    }

    /// <summary>JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses the JSON form.</summary>
    public static NetworkSpec FromJson(string json) =>
        JsonSerializer.Deserialize<NetworkSpec>(json) ?? throw new ArgumentException("empty network description", nameof(json));
}
