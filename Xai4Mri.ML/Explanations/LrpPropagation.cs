using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// LRP as a modified backward pass over whole volumes. Each rule is computed with the gradient trick: for a layer
/// z = Σ_k f(x_k; W_k) + b with modified inputs x_k and weights W_k, R_in = Σ_k x_k ⊙ ∂/∂x_k [zᵀ · stopgrad(R_out / z)],
/// one forward and one input-gradient pass of the layer per normalising sum. The input gradient of a linear map is
/// its transpose, applied directly where it is cheap (stride-1 convolutions, dense and element-wise layers) and by
/// autograd otherwise. Parameters never take part in a graph (the rules use detached copies), so no gradient
/// reaches them.
/// </summary>
internal sealed class LrpPropagation
{
    private readonly NetworkModule _network;
    private readonly List<LrpStep> _steps;
    private readonly LrpComposite _composite;
    private readonly double _stabilizer;
    private readonly int _firstLinear;

    /// <summary>Plans LRP up to layer <paramref name="lastLayer"/>; weights are copied into the caller's dispose scope.</summary>
    public LrpPropagation(NetworkModule network, int lastLayer, LrpComposite composite, double stabilizer)
    {
        _network = network;
        _composite = composite;
        _stabilizer = stabilizer;
        _steps = LrpStep.Plan(network, lastLayer, composite.Name);
        _firstLinear = _steps.FindIndex(s => s.Kind == LrpStepKind.Linear);
    }

    /// <summary>
    /// Relevance of <paramref name="x"/> [N, C, D, H, W] for one output of each image,
    /// starting from that output's value (<paramref name="chooseTargets"/> picks them from the logits [N, K]). Returns the
    /// maps, the explained values [N], the targets and the relevance each spec layer absorbed [N, layers].
    /// </summary>
    public (Tensor Maps, Tensor Outputs, long[] Targets, Tensor Absorbed) Run(Tensor x, Func<Tensor, long[]> chooseTargets)
    {
        long n = x.shape[0];
        var inputs = new List<Tensor>(_steps.Count);
        // Pooling steps keep their forward graph (input leaf and output), so that their relevance needs no second
        // pass: max pooling's backward routes to the recorded winners, average pooling's z is its output.
        var pooled = new (Tensor Leaf, Tensor Output)?[_steps.Count];
        Tensor y;
        using (no_grad())
        {
            Tensor current = x.alias();
            for (int s = 0; s < _steps.Count; s++)
            {
                var step = _steps[s];
                inputs.Add(current);
                if (step.Kind is LrpStepKind.MaxPool or LrpStepKind.AvgPool)
                {
                    using var _ = enable_grad();
                    var leaf = current.detach().requires_grad_(true);
                    var output = step.Forward(_network, leaf);
                    pooled[s] = (leaf, output);
                    current = output.detach();
                }
                else
                {
                    current = step.Forward(_network, current);
                }
            }
            y = current;
        }
        using var logits = y.reshape(n, -1);
        long[] targets = chooseTargets(logits);
        using var index = tensor(targets, [n, 1], device: logits.device);
        var outputs = logits.gather(1, index);
        using var top = zeros_like(logits).scatter_(1, index, outputs);
        Tensor relevance = top.reshape(y.shape);
        y.Dispose();
        var absorbed = zeros([n, _network.Spec.Layers.Count], ScalarType.Float64, x.device);
        for (int s = _steps.Count - 1; s >= 0; s--)
        {
            using var scope = NewDisposeScope();
            var step = _steps[s];
            Tensor input = inputs[s];
            Tensor next = Backward(step, s, input, relevance, pooled[s]);
            var lost = relevance.reshape(n, -1).sum(1, type: ScalarType.Float64).sub(next.reshape(n, -1).sum(1, type: ScalarType.Float64));
            absorbed.select(1, step.First).add_(lost);
            relevance.Dispose();
            relevance = scope.MoveToOuter(next);
            // The step's input is needed no more: freeing it keeps the peak near one forward pass's activations.
            input.Dispose();
            if (pooled[s] is { } graph)
            {
                graph.Leaf.Dispose();
                graph.Output.Dispose();
            }
        }
        return (relevance, outputs.reshape(n), targets, absorbed);
    }

    private Tensor Backward(LrpStep step, int index, Tensor x, Tensor r, (Tensor Leaf, Tensor Output)? graph)
    {
        switch (step.Kind)
        {
            case LrpStepKind.Reshape:
                return r.reshape(x.shape);
            case LrpStepKind.Activation:
                if (_composite.Activations == ActivationHandling.Pass)
                {
                    return r.alias();
                }
                // The derivative as libtorch's backward takes it: 0 (ReLU) or α (LeakyReLU) at x = 0.
                using (var positive = x.gt(0).to_type(r.dtype))
                {
                    if (step.Layer.Kind == LayerKind.LeakyRelu)
                    {
                        double alpha = step.Layer.Alpha;
                        using var slope = positive.mul(1 - alpha).add_(alpha);
                        return r.mul(slope);
                    }
                    return r.mul(positive);
                }
            case LrpStepKind.MaxPool:
            {
                var (leaf, pooled) = graph!.Value;
                return autograd.grad([pooled], [leaf], [r])[0];
            }
            case LrpStepKind.AvgPool:
            {
                var (leaf, z) = graph!.Value;
                using var s = r.div(Stabilize(z.detach(), _stabilizer));
                using var g = autograd.grad([z], [leaf], [s])[0];
                return x.mul(g);
            }
            default:
            {
                var rule = step.Kind == LrpStepKind.Scale
                    ? _composite.BatchNorm
                    : index == _firstLinear && _composite.FirstLayer is { } first
                        ? first
                        : step.Layer.Kind == LayerKind.Dense ? _composite.Dense : _composite.Convolution;
                return Apply(step, rule, x, r);
            }
        }
    }

    private Tensor Apply(LrpStep step, LrpRule rule, Tensor x, Tensor r)
    {
        Tensor w = step.Weight!, b = step.Bias!;
        switch (rule.Kind)
        {
            case LrpRuleKind.Pass:
                return r.alias();
            case LrpRuleKind.Epsilon:
                return Normalised(step, x.shape, [(x, w)], b, rule.Epsilon, r, timesInput: true);
            case LrpRuleKind.Flat:
            {
                using var ones = ones_like(x);
                using var unit = ones_like(w);
                return Normalised(step, x.shape, [(ones, unit)], null, _stabilizer, r, timesInput: false);
            }
            case LrpRuleKind.WSquare:
            {
                using var ones = ones_like(x);
                using var squared = w.square();
                return Normalised(step, x.shape, [(ones, squared)], null, _stabilizer, r, timesInput: false);
            }
        }
        // The sign-split rules: inputs that are all of one sign (post-ReLU activations, brain intensities) skip the
        // empty half, so z⁺ and α1β0 cost one extra forward and backward pass of the layer.
        bool negatives = x.min().item<float>() < 0;
        bool positives = x.max().item<float>() > 0;
        using var xp = positives ? (negatives ? x.clamp_min(0) : x.alias()) : null;
        using var xn = negatives ? (positives ? x.clamp_max(0) : x.alias()) : null;
        using var wp = w.clamp_min(0);
        using var wn = w.clamp_max(0);
        using var bp = b.clamp_min(0);
        using var bn = b.clamp_max(0);
        var activators = Terms((xp, wp), (xn, wn));
        var inhibitors = Terms((xp, wn), (xn, wp));
        switch (rule.Kind)
        {
            case LrpRuleKind.ZPlus:
                return Normalised(step, x.shape, activators, null, _stabilizer, r, timesInput: true);
            case LrpRuleKind.AlphaBeta:
            {
                var positiveBias = rule.Bias == BiasShare.Whole ? b : bp;
                var negativeBias = rule.Bias == BiasShare.Whole ? b : bn;
                var result = Normalised(step, x.shape, activators, positiveBias, _stabilizer, r, timesInput: true);
                if (rule.Alpha != 1)
                {
                    result.mul_(rule.Alpha);
                }
                if (rule.Beta != 0)
                {
                    using var negative = Normalised(step, x.shape, inhibitors, negativeBias, _stabilizer, r, timesInput: true);
                    result.sub_(negative.mul_(rule.Beta));
                }
                return result;
            }
            default:
            {
                // iNNvestigate's AlphaBetaX with α = (2, 0), β = (1, 0): the terms of negative inputs have weight 0.
                var result = Normalised(step, x.shape, Terms((xp, wp)), bp, _stabilizer, r, timesInput: true).mul_(2);
                using var negative = Normalised(step, x.shape, Terms((xp, wn)), bn, _stabilizer, r, timesInput: true);
                return result.sub_(negative);
            }
        }
    }

    private static (Tensor X, Tensor W)[] Terms(params (Tensor? X, Tensor W)[] terms) =>
        [.. terms.Where(t => t.X is not null).Select(t => (t.X!, t.W))];

    /// <summary>
    /// Σ_k x_k ⊙ ∂/∂x_k [zᵀ s] with z = Σ_k f(x_k; W_k) + bias and s = r / stabilised z (without the x_k factor for
    /// the flat and w² rules, whose inputs are ones).
    /// </summary>
    private static Tensor Normalised(LrpStep step, long[] inputShape, (Tensor X, Tensor W)[] terms, Tensor? bias, double epsilon, Tensor r, bool timesInput)
    {
        if (terms.Length == 0)
        {
            // The input is all zeros: nothing but the bias contributes, and the bias keeps the relevance.
            return zeros(inputShape, r.dtype, r.device);
        }
        using var scope = NewDisposeScope();
        Tensor[] grads;
        if (step.CanTranspose)
        {
            // The gradient of z with respect to x_k is the transposed map, computed directly: no graph needed.
            Tensor z = step.Apply(terms[0].X, terms[0].W);
            for (int k = 1; k < terms.Length; k++)
            {
                z = z.add(step.Apply(terms[k].X, terms[k].W));
            }
            if (bias is not null)
            {
                z = step.AddBias(z, bias);
            }
            var s = r.div(Stabilize(z, epsilon));
            grads = [.. terms.Select(t => step.ApplyTransposed(s, t.W))];
        }
        else
        {
            using var _ = enable_grad();
            var leaves = terms.Select(t => t.X.detach().requires_grad_(true)).ToArray();
            Tensor z = step.Apply(leaves[0], terms[0].W);
            for (int k = 1; k < terms.Length; k++)
            {
                z = z.add(step.Apply(leaves[k], terms[k].W));
            }
            if (bias is not null)
            {
                z = step.AddBias(z, bias);
            }
            var s = r.div(Stabilize(z.detach(), epsilon));
            grads = [.. autograd.grad([z], leaves, [s])];
        }
        Tensor result = timesInput ? terms[0].X.mul(grads[0]) : grads[0].alias();
        for (int k = 1; k < terms.Length; k++)
        {
            result = result.add(timesInput ? terms[k].X.mul(grads[k]) : grads[k]);
        }
        return scope.MoveToOuter(result);
    }

    /// <summary>z + ε·sign(z) with sign(0) = +1 (iNNvestigate's and zennit's stabiliser).</summary>
    internal static Tensor Stabilize(Tensor z, double epsilon)
    {
        using var sign = z.ge(0).to_type(z.dtype).mul_(2).sub_(1);
        return z.add(sign.mul_(epsilon));
    }
}
