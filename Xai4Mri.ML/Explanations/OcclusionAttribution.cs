using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// Occlusion: cubes set to a fill value, a batch of occluded copies per forward pass; each voxel gets the mean
/// output drop over the cubes that cover it.
/// </summary>
internal sealed class OcclusionAttribution
{
    private readonly NetworkModule _network;
    private readonly int _lastLayer;
    private readonly float _fill;
    private readonly int _batchSize;
    private readonly List<(int Z, int Y, int X)> _corners;
    private readonly int[] _sizes;

    public OcclusionAttribution(NetworkModule network, int lastLayer, int patch, int stride, float fill, int batchSize)
    {
        _network = network;
        _lastLayer = lastLayer;
        _fill = fill;
        _batchSize = batchSize;
        var shape = network.Spec.InputShape;
        _sizes = [Math.Min(patch, shape[1]), Math.Min(patch, shape[2]), Math.Min(patch, shape[3])];
        var starts = Enumerable.Range(0, 3).Select(a => Starts(shape[a + 1], _sizes[a], stride)).ToArray();
        _corners = [.. from z in starts[0] from y in starts[1] from x in starts[2] select (z, y, x)];
    }

    /// <summary>
    /// Cube corners along an axis of length <paramref name="n"/>: 0, s, 2s, … while the cube fits, and a last cube
    /// flush with the end so that every voxel is covered when the stride is at most the cube size.
    /// </summary>
    internal static List<int> Starts(int n, int size, int stride)
    {
        var starts = new List<int>();
        for (int s = 0; s + size <= n; s += stride)
        {
            starts.Add(s);
        }
        if (starts[^1] + size < n)
        {
            starts.Add(n - size);
        }
        return starts;
    }

    /// <summary>The occlusion map of one image [1, C, D, H, W] for one output, given that output's clean value.</summary>
    public Tensor Map(Tensor x, long target, double clean)
    {
        var sum = zeros_like(x);
        var count = zeros_like(x);
        using var _ = no_grad();
        for (int start = 0; start < _corners.Count; start += _batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(_batchSize, _corners.Count - start);
            var batch = x.expand(b, -1, -1, -1, -1).clone();
            for (int i = 0; i < b; i++)
            {
                Cube(batch[i], _corners[start + i]).fill_(_fill);
            }
            var drops = _network.ForwardTo(batch, _lastLayer).reshape(b, -1).select(1, target).neg().add_(clean).to(ScalarType.Float32).cpu().data<float>().ToArray();
            for (int i = 0; i < b; i++)
            {
                Cube(sum[0], _corners[start + i]).add_(drops[i]);
                Cube(count[0], _corners[start + i]).add_(1);
            }
        }
        using var covered = count.gt(0);
        using var safe = count.clamp_min(1);
        using var mean = sum.div(safe);
        sum.Dispose();
        count.Dispose();
        return mean.mul(covered);
    }

    private Tensor Cube(Tensor volume, (int Z, int Y, int X) corner) =>
        volume.narrow(1, corner.Z, _sizes[0]).narrow(2, corner.Y, _sizes[1]).narrow(3, corner.X, _sizes[2]);
}
