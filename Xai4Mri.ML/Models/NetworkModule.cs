using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// A TorchSharp module built from a <see cref="NetworkSpec"/>: layer i of the spec is <c>layers.i</c> in the state
/// dict. New weights follow Keras' defaults (Glorot-uniform kernels, zero biases) so that a fresh MRInet starts as
/// xai4mri's does; the generator is seeded for reproducible initialisation.
/// </summary>
public sealed class NetworkModule : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    // Dropout draws from this network's own generator, never libtorch's global one: training runs on other threads
    // (parallel tests, a user's parallel jobs) would otherwise shift each other's masks.
    private readonly DropoutRandom _dropoutRandom = new();

    static NetworkModule()
    {
        TorchRuntime.EnsureConfigured();
    }

    /// <summary>Builds the network; with <paramref name="seed"/> the initial weights are reproducible.</summary>
    /// <exception cref="ArgumentException">A layer does not fit its input shape.</exception>
    public NetworkModule(NetworkSpec spec, long? seed = null) : base(string.IsNullOrEmpty(spec.Architecture) ? "network" : spec.Architecture)
    {
        Spec = spec;
        var shapes = spec.Shapes();
        var modules = new List<nn.Module<Tensor, Tensor>>();
        int[] shape = spec.InputShape;
        using (var generator = seed is { } s ? new Generator((ulong)s) : null)
        {
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                modules.Add(Build(spec.Layers[i], shape, generator, _dropoutRandom));
                shape = shapes[i];
            }
        }
        layers = nn.ModuleList(modules.ToArray());
        RegisterComponents();
    }

    /// <summary>The description the network was built from.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The TorchSharp module of layer <paramref name="index"/>.</summary>
    public nn.Module<Tensor, Tensor> Layer(int index) => layers[index];

    /// <summary>Runs a batch [N, C, D, H, W] through all layers.</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            Tensor next = layers[i].forward(x);
            if (!ReferenceEquals(x, input))
            {
                x.Dispose();
            }
            x = next;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }

    /// <summary>Runs the layers up to and including <paramref name="lastLayer"/> (feature extraction).</summary>
    public Tensor ForwardTo(Tensor input, int lastLayer) => Forward(input, 0, lastLayer);

    /// <summary>Runs layers <paramref name="firstLayer"/> to <paramref name="lastLayer"/> on the input of the first (images, or a layer's activations).</summary>
    internal Tensor Forward(Tensor input, int firstLayer, int lastLayer)
    {
        Tensor x = input;
        for (int i = firstLayer; i <= lastLayer; i++)
        {
            Tensor next = layers[i].forward(x);
            if (!ReferenceEquals(x, input))
            {
                x.Dispose();
            }
            x = next;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dropoutRandom.Generator?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Reseeds the generator of this network's dropout masks (a training run does so every epoch).</summary>
    internal void SeedDropout(long seed)
    {
        _dropoutRandom.Generator?.Dispose();
        _dropoutRandom.Generator = new Generator((ulong)seed);
    }

    private static nn.Module<Tensor, Tensor> Build(LayerSpec l, int[] input, Generator? generator, DropoutRandom dropoutRandom)
    {
        (long, long, long) Triple(int[] v) => (v[0], v[1], v[2]);
        switch (l.Kind)
        {
            case LayerKind.Conv3d:
            {
                var pad = l.Padding switch
                {
                    "explicit" => Triple(l.Pad),
                    "same" when l.Stride.All(s => s == 1) && l.Kernel.All(k => k % 2 == 1) => ((long)l.Kernel[0] / 2, (long)l.Kernel[1] / 2, (long)l.Kernel[2] / 2),
                    "valid" => (0L, 0L, 0L),
                    _ => throw new NotSupportedException($"layer '{l.Name}': 'same' padding is supported for odd kernels with stride 1"),
                };
                var conv = nn.Conv3d(input[0], l.Units, Triple(l.Kernel), Triple(l.Stride), pad, bias: l.UseBias);
                using (no_grad())
                {
                    GlorotUniform(conv.weight!, generator);
                    if (conv.bias is { } b)
                    {
                        b.zero_();
                    }
                }
                return conv;
            }
            case LayerKind.Dense:
            {
                var dense = nn.Linear(input[0], l.Units, hasBias: l.UseBias);
                using (no_grad())
                {
                    GlorotUniform(dense.weight!, generator);
                    if (dense.bias is { } b)
                    {
                        b.zero_();
                    }
                }
                return dense;
            }
            case LayerKind.BatchNorm3d:
                return nn.BatchNorm3d(input[0], l.Epsilon, l.Momentum);
            case LayerKind.MaxPool3d when l.Padding == "same":
                return new SamePaddedMaxPool3d(l);
            case LayerKind.MaxPool3d:
                return nn.MaxPool3d(Triple(l.Kernel), Triple(l.Stride), l.Padding == "explicit" ? Triple(l.Pad) : null);
            case LayerKind.AvgPool3d when l.Padding == "same":
                throw new NotSupportedException($"layer '{l.Name}': 'same' average pooling is not supported");
            case LayerKind.AvgPool3d:
                return nn.AvgPool3d(Triple(l.Kernel), Triple(l.Stride), l.Padding == "explicit" ? Triple(l.Pad) : null, count_include_pad: false);
            case LayerKind.Relu:
                return nn.ReLU();
            case LayerKind.LeakyRelu:
                return nn.LeakyReLU(l.Alpha);
            case LayerKind.Softmax:
                return nn.Softmax(1);
            case LayerKind.LogSoftmax:
                return nn.LogSoftmax(1);
            case LayerKind.Flatten:
                return nn.Flatten();
            case LayerKind.Dropout:
                return new SeededDropout(l.Rate, dropoutRandom);
            default:
                throw new NotSupportedException($"layer '{l.Name}': {l.Kind} is not supported");
        }
    }

    /// <summary>Keras' default kernel initialiser: U(−b, b) with b = sqrt(6 / (fan_in + fan_out)).</summary>
    private static void GlorotUniform(Tensor weight, Generator? generator)
    {
        long receptive = weight.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        double fanIn = weight.shape[1] * receptive, fanOut = weight.shape[0] * receptive;
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        weight.uniform_(-bound, bound, generator);
    }

    /// <summary>The generator shared by a network's dropout layers; null until a training run seeds it.</summary>
    private sealed class DropoutRandom
    {
        public Generator? Generator { get; set; }
    }

    /// <summary>Inverted dropout (as nn.Dropout) whose masks come from the network's generator when one is set.</summary>
    private sealed class SeededDropout : nn.Module<Tensor, Tensor>
    {
        private readonly double _rate;
        private readonly DropoutRandom _random;

        public SeededDropout(double rate, DropoutRandom random) : base("Dropout")
        {
            _rate = rate;
            _random = random;
        }

        public override Tensor forward(Tensor input)
        {
            if (!training || _rate <= 0)
            {
                return input.alias();
            }
            // Our generator is a CPU generator: draw on the CPU and move the mask to a GPU input.
            using var uniform = rand(input.shape, input.dtype, CPU, generator: _random.Generator);
            using var keep = uniform.ge(_rate).to(input.device);
            using var mask = keep.to_type(input.dtype);
            using var kept = input.mul(mask);
            return kept.div(1 - _rate);
        }
    }

    /// <summary>Max pooling with TensorFlow's 'same' padding: the odd padded voxel goes at the end, padded with −∞.</summary>
    private sealed class SamePaddedMaxPool3d : nn.Module<Tensor, Tensor>
    {
        private readonly LayerSpec _spec;

        public SamePaddedMaxPool3d(LayerSpec spec) : base("SamePaddedMaxPool3d")
        {
            _spec = spec;
        }

        public override Tensor forward(Tensor input)
        {
            var pads = new long[6];
            // functional.pad takes (last axis before, after, second-to-last before, after, …).
            for (int a = 0; a < 3; a++)
            {
                var (before, after) = _spec.SamePadding(a, (int)input.shape[2 + a]);
                pads[(2 - a) * 2] = before;
                pads[((2 - a) * 2) + 1] = after;
            }
            using Tensor padded = nn.functional.pad(input, pads, PaddingModes.Constant, double.NegativeInfinity);
            return nn.functional.max_pool3d(padded, [_spec.Kernel[0], _spec.Kernel[1], _spec.Kernel[2]], [_spec.Stride[0], _spec.Stride[1], _spec.Stride[2]]);
        }
    }
}
