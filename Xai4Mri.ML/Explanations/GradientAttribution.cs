using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Synthetic;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// The gradient-based baselines: the gradient of the explained output with respect to the input through the
/// network's own modules (eval mode), for plain, noisy (SmoothGrad) and interpolated (integrated gradients) inputs.
/// Only the input is differentiated, so no gradient is stored in the network's parameters.
/// </summary>
internal sealed class GradientAttribution
{
    private readonly NetworkModule _network;
    private readonly int _lastLayer;

    public GradientAttribution(NetworkModule network, int lastLayer)
    {
        _network = network;
        _lastLayer = lastLayer;
    }

    /// <summary>The outputs [N, K] (the logits) of a batch, without a graph.</summary>
    public Tensor Logits(Tensor x)
    {
        using var _ = no_grad();
        using var y = _network.ForwardTo(x, _lastLayer);
        return y.reshape(x.shape[0], -1);
    }

    /// <summary>
    /// The gradients of a batch in one forward and backward pass: the targets are chosen from the logits of that same
    /// forward pass (<paramref name="chooseTargets"/>). Returns the gradients, the logits [N, K] and the targets.
    /// </summary>
    public (Tensor Gradient, Tensor Logits, long[] Targets) Gradient(Tensor x, Func<Tensor, long[]> chooseTargets)
    {
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var leaf = x.detach().requires_grad_(true);
        var y = _network.ForwardTo(leaf, _lastLayer).reshape(x.shape[0], -1);
        var logits = y.detach();
        long[] targets = chooseTargets(logits);
        var index = tensor(targets, [targets.Length, 1], device: x.device);
        var selected = y.gather(1, index).sum();
        var gradient = autograd.grad([selected], [leaf])[0];
        return (scope.MoveToOuter(gradient), scope.MoveToOuter(logits), targets);
    }

    /// <summary>∂ output[n, target] / ∂ x[n] for every image n of the batch, for one target.</summary>
    public Tensor Gradient(Tensor x, long target)
    {
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var leaf = x.detach().requires_grad_(true);
        var y = _network.ForwardTo(leaf, _lastLayer).reshape(x.shape[0], -1);
        var selected = y.select(1, target).sum();
        var gradient = autograd.grad([selected], [leaf])[0];
        return scope.MoveToOuter(gradient);
    }

    /// <summary>
    /// SmoothGrad of one image [1, C, D, H, W]: the mean gradient over <paramref name="samples"/> noisy copies, the
    /// noise drawn by our seeded generator in voxel order, copy after copy (stream: <paramref name="seed"/>, image
    /// <paramref name="imageIndex"/>), so maps do not depend on the batch size.
    /// </summary>
    public Tensor SmoothGrad(Tensor x, float[] image, long target, double noiseLevel, int samples, int seed, int imageIndex, int batchSize)
    {
        float min = image.Min(), max = image.Max();
        double sigma = noiseLevel * ((double)max - min);
        var random = new DeterministicRandom(seed, imageIndex, RandomStream.Noise);
        var sum = zeros_like(x);
        for (int start = 0; start < samples; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batchSize, samples - start);
            var noise = new float[b * image.Length];
            for (int i = 0; i < noise.Length; i++)
            {
                noise[i] = (float)(sigma * random.NextNormal());
            }
            var noisy = OwnedTensor.From(noise, [b, .. x.shape[1..]]).to(x.device).add_(x);
            sum.add_(Gradient(noisy, target).sum(0, keepdim: true));
        }
        return sum.div_(samples);
    }

    /// <summary>
    /// Integrated gradients of one image [1, C, D, H, W]: (x − x')·mean over k = 1…m of the gradient at
    /// x' + (k/m)·(x − x') (the right Riemann sum of Sundararajan et al.), with a constant baseline x'.
    /// </summary>
    public Tensor IntegratedGradients(Tensor x, long target, float baseline, int steps, int batchSize)
    {
        using var difference = x.sub(baseline);
        var sum = zeros_like(x);
        for (int start = 0; start < steps; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batchSize, steps - start);
            var alphas = tensor(Enumerable.Range(start + 1, b).Select(k => (float)((double)k / steps)).ToArray(), [b, 1, 1, 1, 1], device: x.device);
            var path = alphas.mul(difference).add_(baseline);
            sum.add_(Gradient(path, target).sum(0, keepdim: true));
        }
        return sum.div_(steps).mul_(difference);
    }
}
