namespace Xai4Mri.ML.Models;

/// <summary>One layer of a <see cref="NetworkSpec"/>: its kind, name and hyper-parameters (unused ones keep defaults).</summary>
public sealed record LayerSpec
{
    /// <summary>Layer type.</summary>
    public LayerKind Kind { get; init; }

    /// <summary>Unique name; weights are stored under <c>name.weight</c>, <c>name.bias</c>, …</summary>
    public string Name { get; init; } = "";

    /// <summary>Output channels (Conv3d) or units (Dense).</summary>
    public int Units { get; init; }

    /// <summary>Kernel or pool size per spatial axis.</summary>
    public int[] Kernel { get; init; } = [1, 1, 1];

    /// <summary>Stride per spatial axis.</summary>
    public int[] Stride { get; init; } = [1, 1, 1];

    /// <summary>
    /// "same" (TensorFlow/Keras: output = ceil(input / stride), extra padding at the end), "valid" (none), or explicit
    /// symmetric padding in <see cref="Pad"/> ("explicit").
    /// </summary>
    public string Padding { get; init; } = "valid";

    /// <summary>Symmetric padding per spatial axis when <see cref="Padding"/> is "explicit".</summary>
    public int[] Pad { get; init; } = [0, 0, 0];

    /// <summary>Whether Conv3d/Dense have a bias.</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>LeakyReLU slope.</summary>
    public double Alpha { get; init; } = 0.2;

    /// <summary>Dropout rate.</summary>
    public double Rate { get; init; } = 0.5;

    /// <summary>BatchNorm epsilon.</summary>
    public double Epsilon { get; init; } = 1e-3;

    /// <summary>BatchNorm momentum in PyTorch's sense (weight of the new batch in the running statistics).</summary>
    public double Momentum { get; init; } = 0.01;

    /// <summary>Whether the layer has trainable weights.</summary>
    public bool HasWeights => Kind is LayerKind.Conv3d or LayerKind.Dense or LayerKind.BatchNorm3d;

    /// <summary>The output shape for an input shape (channels-first, without batch: [C, D, H, W] or [F]).</summary>
    /// <exception cref="ArgumentException">The input does not fit the layer (e.g. a pooling window larger than the input).</exception>
    public int[] OutputShape(int[] input)
    {
        switch (Kind)
        {
            case LayerKind.Conv3d:
            case LayerKind.MaxPool3d:
            case LayerKind.AvgPool3d:
            {
                if (input.Length != 4)
                {
                    throw new ArgumentException($"layer '{Name}' ({Kind}) needs a [C, D, H, W] input, got [{string.Join(", ", input)}]");
                }
                var output = new int[4];
                output[0] = Kind == LayerKind.Conv3d ? Units : input[0];
                for (int a = 0; a < 3; a++)
                {
                    int n = input[a + 1];
                    output[a + 1] = Padding switch
                    {
                        "same" => (n + Stride[a] - 1) / Stride[a],
                        "explicit" => ((n + (2 * Pad[a]) - Kernel[a]) / Stride[a]) + 1,
                        _ => ((n - Kernel[a]) / Stride[a]) + 1,
                    };
                    if (output[a + 1] <= 0)
                    {
                        throw new ArgumentException($"layer '{Name}' ({Kind}, kernel {string.Join('x', Kernel)}) does not fit input [{string.Join(", ", input)}]");
                    }
                }
                return output;
            }
            case LayerKind.Flatten:
                return [input.Aggregate(1, (a, b) => a * b)];
            case LayerKind.Dense:
                if (input.Length != 1)
                {
                    throw new ArgumentException($"layer '{Name}' (Dense) needs a flat input, got [{string.Join(", ", input)}]; add a Flatten layer");
                }
                return [Units];
            default:
                return [.. input];
        }
    }

    /// <summary>
    /// Padding (before, after) per spatial axis that TensorFlow's "same" rule adds for an input of size
    /// <paramref name="n"/> along axis <paramref name="axis"/>: total = max((ceil(n/s) − 1)·s + k − n, 0), the odd
    /// voxel at the end.
    /// </summary>
    public (int Before, int After) SamePadding(int axis, int n)
    {
        int output = (n + Stride[axis] - 1) / Stride[axis];
        int total = Math.Max(((output - 1) * Stride[axis]) + Kernel[axis] - n, 0);
        return (total / 2, total - (total / 2));
    }
}
