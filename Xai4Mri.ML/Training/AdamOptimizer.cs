using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Training;

/// <summary>
/// Adam as Keras computes it (ε added to √v̂ in the bias-corrected step, default ε = 1e-7), over the parameters that
/// currently require gradients. Its moments are ours to read and write, so a checkpoint restores the optimizer
/// exactly and a resumed run continues bit for bit.
/// </summary>
internal sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly double _beta1, _beta2, _epsilon, _weightDecay;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        _parameters = [.. parameters];
        _m = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _v = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
    }

    /// <summary>Steps taken (the t of the bias correction).</summary>
    public long Steps { get; private set; }

    /// <summary>One update of every parameter that has a gradient; gradients are cleared afterwards.</summary>
    public void Step(double learningRate)
    {
        Steps++;
        double correction = Math.Sqrt(1 - Math.Pow(_beta2, Steps)) / (1 - Math.Pow(_beta1, Steps));
        using var _ = no_grad();
        // Scalars held in locals for the whole step: an implicitly converted temporary can be finalised by the GC
        // while libtorch still reads it, which crashed a two-hour run once ("toDouble ... Expected false to be true").
        using Scalar beta1 = _beta1, keep1 = 1 - _beta1, beta2 = _beta2, keep2 = 1 - _beta2, epsilon = _epsilon, decay = _weightDecay, step = -learningRate * correction;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.requires_grad || p.grad is not { } g)
            {
                continue;
            }
            using var scope = NewDisposeScope();
            var gradient = _weightDecay > 0 ? g.add(p, alpha: decay) : g;
            _m[i].mul_(beta1).add_(gradient, alpha: keep1);
            _v[i].mul_(beta2).addcmul_(gradient, gradient, value: keep2);
            p.addcdiv_(_m[i], _v[i].sqrt().add_(epsilon), value: step);
        }
        foreach (var p in _parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>The moments in a fixed order (all first moments, then all second moments).</summary>
    public IEnumerable<Tensor> State => _m.Concat(_v);

    /// <summary>Restores moments and step count saved from an optimizer over the same parameters.</summary>
    public void Restore(long steps, IReadOnlyList<float[]> state)
    {
        Steps = steps;
        var all = State.ToList();
        using var _ = no_grad();
        for (int i = 0; i < all.Count; i++)
        {
            all[i].copy_(tensor(state[i], all[i].shape).to(all[i].device));
        }
    }

    public void Dispose()
    {
        foreach (var t in State)
        {
            t.Dispose();
        }
    }
}
