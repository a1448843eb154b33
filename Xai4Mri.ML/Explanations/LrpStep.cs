using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Explanations;

/// <summary>What an LRP step does with relevance.</summary>
internal enum LrpStepKind
{
    /// <summary>A convolution or dense layer (with a following batch norm folded in): gets a rule.</summary>
    Linear,
    /// <summary>A batch norm that follows no convolution: an element-wise affine layer that gets a rule.</summary>
    Scale,
    /// <summary>ReLU or LeakyReLU.</summary>
    Activation,
    /// <summary>Max pooling: winner takes all.</summary>
    MaxPool,
    /// <summary>Average pooling: the z-rule.</summary>
    AvgPool,
    /// <summary>Flatten or dropout (off): relevance keeps its values.</summary>
    Reshape,
}

/// <summary>
/// One step of relevance propagation: layers <see cref="First"/>…<see cref="Last"/> of the network's description
/// (two for a convolution with its batch norm folded in), with the effective weights for the rules.
/// </summary>
internal sealed class LrpStep
{
    private long[] _stride = [1, 1, 1];
    private long[] _padding = [0, 0, 0];

    public required LrpStepKind Kind { get; init; }

    public required int First { get; init; }

    public required int Last { get; init; }

    public required LayerSpec Layer { get; init; }

    /// <summary>Effective weights (detached copies): [out, in, k, k, k], [out, in] or the scale a per channel.</summary>
    public Tensor? Weight { get; private init; }

    /// <summary>Effective bias (zeros when the layer has none): [out], or c per channel.</summary>
    public Tensor? Bias { get; private init; }

    /// <summary>The layer's linear map without bias for weights <paramref name="weight"/>.</summary>
    public Tensor Apply(Tensor x, Tensor weight) => Kind switch
    {
        LrpStepKind.Linear when Layer.Kind == LayerKind.Conv3d => nn.functional.conv3d(x, weight, null, _stride, _padding),
        LrpStepKind.Linear => nn.functional.linear(x, weight),
        _ => x.mul(weight.view(1, -1, 1, 1, 1)),
    };

    /// <summary>
    /// Whether <see cref="ApplyTransposed"/> is the faster way: not for strided convolutions, and not for a
    /// convolution of one input channel (the first layer), whose flipped convolution has a single output channel,
    /// for which libtorch's input-gradient kernel was measured faster.
    /// </summary>
    public bool CanTranspose => Kind != LrpStepKind.Linear || Layer.Kind != LayerKind.Conv3d || (_stride.All(s => s == 1) && Weight!.shape[1] > 1);

    /// <summary>
    /// The transpose of <see cref="Apply"/> (its gradient with respect to x, applied to <paramref name="s"/>). For a
    /// stride-1 convolution with padding p: a convolution of s with the flipped kernel, in and out swapped, padding
    /// k − 1 − p — libtorch runs it faster than a convolution's input-gradient kernel.
    /// </summary>
    public Tensor ApplyTransposed(Tensor s, Tensor weight)
    {
        switch (Kind)
        {
            case LrpStepKind.Linear when Layer.Kind == LayerKind.Conv3d:
            {
                using var flipped = weight.flip(2, 3, 4);
                using var swapped = flipped.transpose(0, 1);
                long[] padding = [.. Enumerable.Range(0, 3).Select(a => weight.shape[2 + a] - 1 - _padding[a])];
                return nn.functional.conv3d(s, swapped, null, [1, 1, 1], padding);
            }
            case LrpStepKind.Linear:
                return s.matmul(weight);
            default:
                return s.mul(weight.view(1, -1, 1, 1, 1));
        }
    }

    /// <summary>Adds a bias of this step's shape to a pre-activation <paramref name="z"/>.</summary>
    public Tensor AddBias(Tensor z, Tensor bias) => z.dim() == 2 ? z.add(bias) : z.add(bias.view(1, -1, 1, 1, 1));

    /// <summary>Runs the network's own modules of this step (eval mode is the caller's business).</summary>
    public Tensor Forward(NetworkModule network, Tensor x)
    {
        Tensor y = x;
        for (int i = First; i <= Last; i++)
        {
            Tensor next = network.Layer(i).forward(y);
            if (!ReferenceEquals(y, x))
            {
                y.Dispose();
            }
            y = next;
        }
        return ReferenceEquals(y, x) ? y.alias() : y;
    }

    /// <summary>
    /// The steps of <paramref name="network"/> up to and including layer <paramref name="lastLayer"/> (the explained
    /// output), for LRP with <paramref name="method"/> (named in errors). Tensors are created in the caller's dispose scope.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer LRP cannot propagate through (a softmax inside the network).</exception>
    public static List<LrpStep> Plan(NetworkModule network, int lastLayer, string method)
    {
        var layers = network.Spec.Layers;
        var steps = new List<LrpStep>();
        for (int i = 0; i <= lastLayer; i++)
        {
            var layer = layers[i];
            switch (layer.Kind)
            {
                case LayerKind.Conv3d:
                case LayerKind.Dense:
                {
                    var state = network.Layer(i).state_dict();
                    var weight = state["weight"].detach().clone();
                    var bias = state.TryGetValue("bias", out var b) ? b.detach().clone() : zeros(weight.shape[0], weight.dtype, weight.device);
                    int last = i;
                    if (layer.Kind == LayerKind.Conv3d && i + 1 <= lastLayer && layers[i + 1].Kind == LayerKind.BatchNorm3d)
                    {
                        // Folding is exact: the batch norm acts per output channel of the convolution.
                        var (scale, shift) = BatchNormAffine(network, i + 1);
                        weight = weight.mul(scale.view(-1, 1, 1, 1, 1));
                        bias = bias.mul(scale).add(shift);
                        last = i + 1;
                    }
                    var step = new LrpStep { Kind = LrpStepKind.Linear, First = i, Last = last, Layer = layer, Weight = weight, Bias = bias };
                    if (layer.Kind == LayerKind.Conv3d)
                    {
                        step._stride = [.. layer.Stride.Select(s => (long)s)];
                        step._padding = layer.Padding switch
                        {
                            "explicit" => [.. layer.Pad.Select(p => (long)p)],
                            // NetworkModule builds 'same' convolutions only for odd kernels with stride 1: k / 2 on each side.
                            "same" => [.. layer.Kernel.Select(k => (long)k / 2)],
                            _ => [0, 0, 0],
                        };
                    }
                    steps.Add(step);
                    i = last;
                    break;
                }
                case LayerKind.BatchNorm3d:
                {
                    var (scale, shift) = BatchNormAffine(network, i);
                    steps.Add(new LrpStep { Kind = LrpStepKind.Scale, First = i, Last = i, Layer = layer, Weight = scale, Bias = shift });
                    break;
                }
                case LayerKind.Relu:
                case LayerKind.LeakyRelu:
                    steps.Add(new LrpStep { Kind = LrpStepKind.Activation, First = i, Last = i, Layer = layer });
                    break;
                case LayerKind.MaxPool3d:
                    steps.Add(new LrpStep { Kind = LrpStepKind.MaxPool, First = i, Last = i, Layer = layer });
                    break;
                case LayerKind.AvgPool3d:
                    steps.Add(new LrpStep { Kind = LrpStepKind.AvgPool, First = i, Last = i, Layer = layer });
                    break;
                case LayerKind.Flatten:
                case LayerKind.Dropout:
                    steps.Add(new LrpStep { Kind = LrpStepKind.Reshape, First = i, Last = i, Layer = layer });
                    break;
                case LayerKind.Softmax:
                case LayerKind.LogSoftmax:
                    throw new NotSupportedException($"layer '{layer.Name}' ({layer.Kind}): {method} cannot propagate relevance through a {layer.Kind} inside the network; only a softmax or log-softmax at the output is skipped (the logit before it is explained)");
                default:
                    throw new NotSupportedException($"layer '{layer.Name}' ({layer.Kind}): {method} has no rule for this layer type");
            }
        }
        return steps;
    }

    /// <summary>Batch norm in eval mode as y = a·x + c per channel: a = γ/√(var + ε), c = β − μ·a.</summary>
    private static (Tensor Scale, Tensor Shift) BatchNormAffine(NetworkModule network, int index)
    {
        var state = network.Layer(index).state_dict();
        using var variance = state["running_var"].detach().add(network.Spec.Layers[index].Epsilon);
        using var sigma = variance.sqrt();
        var scale = state["weight"].detach().div(sigma);
        using var meanScaled = state["running_mean"].detach().mul(scale);
        var shift = state["bias"].detach().sub(meanScaled);
        return (scale, shift);
    }
}
