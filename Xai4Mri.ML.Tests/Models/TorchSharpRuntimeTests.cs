using TorchSharp;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// TorchSharp's native libraries load on this machine (the build's GLIBCXX fix-up, docs/torchsharp.md) and compute a
/// 3-D convolution and its gradient correctly (hand-computed values).
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
        Assert.IsTrue(torch.get_num_threads() >= 1);
        Assert.AreEqual(DeviceType.CPU, torch.CPU.type);
        using var t = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        Assert.AreEqual(15f, t.sum().item<float>());
    }
}
