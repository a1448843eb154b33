using TorchSharp;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// TorchSharp's native libraries load on this machine (the build's GLIBCXX fix-up, docs/torchsharp.md) and compute a
/// 3-D convolution, its gradient and a CPU matrix product correctly (hand-computed values).
/// </summary>
[TestClass]
public sealed class TorchSharpRuntimeTests
{
    [TestMethod]
    public void Conv3dForwardAndBackwardMatchHandComputation()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv3d(1, 1, 3, padding: 1, bias: false);
        using (no_grad())
        {
            conv.weight!.fill_(1.0f);
        }
        var x = ones(new long[] { 1, 1, 4, 4, 4 }, requires_grad: true);
        var y = conv.forward(x);

        // Each output is the number of input voxels in its 3x3x3 window inside the 4x4x4 grid.
        Assert.AreEqual(27f, y[0, 0, 1, 1, 1].item<float>());
        Assert.AreEqual(8f, y[0, 0, 0, 0, 0].item<float>());
        Assert.AreEqual(12f, y[0, 0, 0, 0, 1].item<float>());
        Assert.AreEqual(18f, y[0, 0, 0, 1, 1].item<float>());

        // d(sum y)/dx counts the windows covering each voxel: 3 per axis inside, 2 at a face.
        y.sum().backward();
        Assert.AreEqual(27f, x.grad![0, 0, 1, 2, 1].item<float>());
        Assert.AreEqual(8f, x.grad[0, 0, 3, 3, 3].item<float>());
        Assert.AreEqual(12f, x.grad[0, 0, 0, 3, 1].item<float>());
    }

    [TestMethod]
    public void LibTorchRunsOnTheCpu()
    {
        // A 37x53 by 53x29 product, large enough for libtorch's blocked CPU matrix multiply and its thread pool. The
        // entries are small integers, so every float32 sum is exact and a plain loop here is the reference.
        const int n = 37, k = 53, m = 29;
        static float A(int i, int j) => ((i * 7) + (j * 3)) % 11 - 5;
        static float B(int i, int j) => ((i * 5) + (j * 2)) % 13 - 6;
        using var scope = NewDisposeScope();
        var a = tensor(Enumerable.Range(0, n * k).Select(x => A(x / k, x % k)).ToArray(), [n, k], device: CPU);
        var b = tensor(Enumerable.Range(0, k * m).Select(x => B(x / m, x % m)).ToArray(), [k, m], device: CPU);

        var c = a.matmul(b);

        Assert.AreEqual(DeviceType.CPU, c.device_type, "the product lives on the CPU");
        Assert.IsGreaterThanOrEqualTo(1, torch.get_num_threads());
        float[] got = c.data<float>().ToArray();
        Assert.HasCount(n * m, got);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < m; j++)
            {
                float want = 0;
                for (int l = 0; l < k; l++)
                {
                    want += A(i, l) * B(l, j);
                }
                Assert.AreEqual(want, got[(i * m) + j], $"c[{i},{j}]");
            }
        }
    }
}
