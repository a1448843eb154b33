using System.Globalization;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// Relevance maps of a network's prediction: LRP (single rules and the composites of iNNvestigate and zennit),
/// gradient, gradient × input, SmoothGrad, integrated gradients and occlusion (<see cref="RelevanceMethod"/>).
/// </summary>
public static class RelevanceMaps
{
    /// <summary>
    /// Computes one relevance map per image for the output <paramref name="options"/> selects (default: LRP with
    /// iNNvestigate's <c>lrp.sequential_preset_a</c>, each image's predicted class or the regression output). The
    /// network runs in evaluation mode on its own device; its weights, its train/eval mode and its parameters'
    /// gradients are as they were afterwards. Because it switches the network to evaluation mode while it runs, one
    /// model must not be explained and trained (or explained from two threads) at the same time.
    /// </summary>
    /// <param name="model">The model whose network is explained.</param>
    /// <param name="images"><paramref name="count"/> images in the network's input layout [N, C, D, H, W], C order (conformed as for prediction).</param>
    /// <param name="count">The number of images.</param>
    /// <param name="options">Method and parameters; null for the defaults.</param>
    /// <returns>One map per image, in order.</returns>
    /// <exception cref="ArgumentException">
    /// The images do not have the network's input shape (both shapes are named), hold a NaN or infinity, or an option
    /// is out of range (<see cref="ArgumentOutOfRangeException"/>, naming the option).
    /// </exception>
    /// <exception cref="NotSupportedException">An LRP method meets a layer it cannot propagate through (the layer and the method are named).</exception>
    public static IReadOnlyList<RelevanceMap> Compute(MriNetModel model, float[] images, int count, RelevanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        options ??= new RelevanceOptions();
        var network = model.Network;
        var spec = network.Spec;
        int voxels = spec.InputShape.Aggregate(1, (a, b) => a * b);
        CheckImages(images, count, spec.InputShape, voxels);
        int lastLayer = OutputLayer(spec);
        CheckOptions(options, OutputCount(spec));
        bool lrp = IsLrp(options.Method);
        var composite = lrp ? LrpComposite.For(options) : null;

        bool networkTraining = network.training;
        var modes = network.modules().Select(m => (Module: m, m.training)).ToList();
        network.eval();
        try
        {
            var device = network.parameters().FirstOrDefault()?.device ?? CPU;
            var maps = new List<RelevanceMap>(count);
            int batch = lrp || options.Method is RelevanceMethod.Gradient or RelevanceMethod.GradientTimesInput ? options.BatchSize : 1;
            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                using var scope = NewDisposeScope();
                var x = OwnedTensor.From(images.AsSpan(start * voxels, n * voxels).ToArray(), [n, .. spec.InputShape.Select(d => (long)d)]).to(device);
                maps.AddRange(composite is not null
                    ? Lrp(network, lastLayer, composite, options, x)
                    : Baseline(network, lastLayer, options, x, images, start, voxels));
            }
            return maps;
        }
        finally
        {
            // The network first, then its modules in pre-order: a parent's train() resets its children, which are set
            // back after it.
            network.train(networkTraining);
            foreach (var (module, training) in modes)
            {
                module.train(training);
            }
        }
    }

    private static IEnumerable<RelevanceMap> Lrp(NetworkModule network, int lastLayer, LrpComposite composite, RelevanceOptions options, Tensor x)
    {
        var propagation = new LrpPropagation(network, lastLayer, composite, options.Stabilizer);
        var (maps, outputs, targets, absorbed) = propagation.Run(x, logits => Targets(logits, options.Target));
        long n = x.shape[0];
        var values = maps.reshape(n, -1).cpu().data<float>().ToArray();
        var explained = outputs.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var lost = absorbed.cpu().data<double>().ToArray();
        int layers = network.Spec.Layers.Count, voxels = values.Length / (int)n;
        return Enumerable.Range(0, (int)n).Select(i =>
        {
            var byLayer = lost.AsSpan(i * layers, layers).ToArray();
            return Map(values.AsSpan(i * voxels, voxels).ToArray(), options.Method, (int)targets[i], explained[i]) with
            {
                Absorbed = byLayer.Sum(),
                AbsorbedByLayer = byLayer,
            };
        }).ToList();
    }

    private static List<RelevanceMap> Baseline(NetworkModule network, int lastLayer, RelevanceOptions options, Tensor x, float[] images, int start, int voxels)
    {
        var gradients = new GradientAttribution(network, lastLayer);
        var maps = new List<RelevanceMap>();
        if (options.Method is RelevanceMethod.Gradient or RelevanceMethod.GradientTimesInput)
        {
            // One forward and backward pass for the batch; the targets come from that forward pass.
            var (gradient, logits, chosen) = gradients.Gradient(x, l => Targets(l, options.Target));
            var map = options.Method == RelevanceMethod.Gradient ? gradient : gradient.mul(x);
            var all = map.reshape(chosen.Length, -1).cpu().data<float>().ToArray();
            var logitValues = logits.to(ScalarType.Float64).cpu().data<double>().ToArray();
            int k = (int)logits.shape[1];
            for (int i = 0; i < chosen.Length; i++)
            {
                maps.Add(Map(all.AsSpan(i * voxels, voxels).ToArray(), options.Method, (int)chosen[i], logitValues[(i * k) + chosen[i]]));
            }
            return maps;
        }
        using var clean = gradients.Logits(x);
        long[] targets = Targets(clean, options.Target);
        var values = clean.to(ScalarType.Float64).cpu().data<double>().ToArray();
        int outputs = (int)clean.shape[1];
        for (int i = 0; i < targets.Length; i++)
        {
            using var scope = NewDisposeScope();
            var image = x.narrow(0, i, 1);
            double value = values[(i * outputs) + targets[i]];
            Tensor map = options.Method switch
            {
                RelevanceMethod.SmoothGrad => gradients.SmoothGrad(image, images.AsSpan((start + i) * voxels, voxels).ToArray(), targets[i], options.NoiseLevel, options.Samples, options.Seed, start + i, options.BatchSize),
                RelevanceMethod.IntegratedGradients => gradients.IntegratedGradients(image, targets[i], options.Baseline, options.Steps, options.BatchSize),
                _ => new OcclusionAttribution(network, lastLayer, options.PatchSize, options.Stride, options.FillValue, options.BatchSize).Map(image, targets[i], value),
            };
            maps.Add(Map(map.cpu().data<float>().ToArray(), options.Method, (int)targets[i], value));
        }
        return maps;
    }

    private static RelevanceMap Map(float[] values, RelevanceMethod method, int output, double value) => new()
    {
        Values = values,
        Method = method,
        Output = output,
        OutputValue = value,
        RelevanceSum = values.Sum(v => (double)v),
    };

    /// <summary>The explained output per image: the given class, else the largest logit (0 for one output).</summary>
    private static long[] Targets(Tensor logits, int? target)
    {
        if (target is { } t)
        {
            return [.. Enumerable.Repeat((long)t, (int)logits.shape[0])];
        }
        using var best = logits.argmax(1);
        return best.cpu().data<long>().ToArray();
    }

    private static bool IsLrp(RelevanceMethod method) => method is RelevanceMethod.LrpEpsilon or RelevanceMethod.LrpZPlus
        or RelevanceMethod.LrpAlpha1Beta0 or RelevanceMethod.LrpAlpha2Beta1 or RelevanceMethod.LrpPresetA or RelevanceMethod.LrpPresetB
        or RelevanceMethod.LrpEpsilonPlusFlat or RelevanceMethod.LrpEpsilonAlpha2Beta1;

    /// <summary>The last layer before a trailing softmax or log-softmax: the logits are explained.</summary>
    internal static int OutputLayer(NetworkSpec spec)
    {
        int last = spec.Layers.Count - 1;
        while (last > 0 && spec.Layers[last].Kind is LayerKind.Softmax or LayerKind.LogSoftmax)
        {
            last--;
        }
        return last;
    }

    private static void CheckImages(float[] images, int count, int[] inputShape, int voxels)
    {
        string shape = string.Join(", ", inputShape);
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"count must be at least 1, got {count}");
        }
        long expected = (long)count * voxels;
        if (images.Length != expected)
        {
            string given = images.Length % count == 0 ? $"[{count}, {images.Length / count}] ({images.Length} values)" : $"{images.Length} values, not a whole number per image";
            throw new ArgumentException($"images have the wrong shape: the network needs [{count}, {shape}] ({expected} values) for {count} image(s) of [{shape}], got {given}", nameof(images));
        }
        for (int i = 0; i < images.Length; i++)
        {
            if (!float.IsFinite(images[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"image {i / voxels} holds {images[i]} at value {i % voxels}; relevance needs finite inputs"), nameof(images));
            }
        }
    }

    /// <summary>
    /// Checks, without computing a map, that an LRP method has a rule for every layer up to the explained output (other
    /// methods run on any network), so that a pipeline step fails when it is made rather than at its first row.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer the method cannot propagate through (the layer and the method are named).</exception>
    internal static void CheckSupported(MriNetModel model, RelevanceOptions options)
    {
        if (IsLrp(options.Method))
        {
            using var scope = NewDisposeScope();
            _ = LrpStep.Plan(model.Network, OutputLayer(model.Spec), LrpComposite.For(options).Name);
        }
    }

    /// <summary>The number of outputs a map can explain: the size of the layer before a trailing softmax.</summary>
    internal static int OutputCount(NetworkSpec spec) => spec.Shapes()[OutputLayer(spec)].Aggregate(1, (a, b) => a * b);

    /// <summary>Checks every option against its range and the network's outputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    internal static void CheckOptions(RelevanceOptions o, int outputs)
    {
        static void Require(bool ok, string name, string message)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, message);
            }
        }
        Require(Enum.IsDefined(o.Method), nameof(o.Method), $"unknown method {o.Method}");
        Require(o.Target is null || (o.Target >= 0 && o.Target < outputs), nameof(o.Target), $"Target {o.Target} does not exist: the network has {outputs} output(s) (0…{outputs - 1})");
        Require(o.Epsilon is null || (o.Epsilon >= 0 && double.IsFinite(o.Epsilon.Value)), nameof(o.Epsilon), $"Epsilon must be finite and at least 0, got {o.Epsilon}");
        Require(o.Stabilizer >= 0 && double.IsFinite(o.Stabilizer), nameof(o.Stabilizer), $"Stabilizer must be finite and at least 0, got {o.Stabilizer}");
        Require(o.FirstLayerRule == LrpFirstLayerRule.Default || IsLrp(o.Method), nameof(o.FirstLayerRule), $"FirstLayerRule {o.FirstLayerRule} applies to LRP methods only, not to {o.Method}");
        Require(o.NoiseLevel >= 0 && double.IsFinite(o.NoiseLevel), nameof(o.NoiseLevel), $"NoiseLevel must be finite and at least 0, got {o.NoiseLevel}");
        Require(o.Samples >= 1, nameof(o.Samples), $"Samples must be at least 1, got {o.Samples}");
        Require(o.Steps >= 1, nameof(o.Steps), $"Steps must be at least 1, got {o.Steps}");
        Require(float.IsFinite(o.Baseline), nameof(o.Baseline), $"Baseline must be finite, got {o.Baseline}");
        Require(o.PatchSize >= 1, nameof(o.PatchSize), $"PatchSize must be at least 1, got {o.PatchSize}");
        Require(o.Stride >= 1, nameof(o.Stride), $"Stride must be at least 1, got {o.Stride}");
        Require(float.IsFinite(o.FillValue), nameof(o.FillValue), $"FillValue must be finite, got {o.FillValue}");
        Require(o.BatchSize >= 1, nameof(o.BatchSize), $"BatchSize must be at least 1, got {o.BatchSize}");
    }
}
