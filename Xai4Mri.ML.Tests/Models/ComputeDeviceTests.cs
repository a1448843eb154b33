using Microsoft.ML;
using TorchSharp;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>Device choice follows ML.NET's TorchSharp trainers: CPU by default, CUDA when asked and present, fallback or error.</summary>
[TestClass]
public sealed class ComputeDeviceTests
{
    [TestMethod]
    public void CpuByDefault() => Assert.AreEqual(DeviceType.CPU, ComputeDevice.Select(new MLContext(1)).type);

    [TestMethod]
    public void CudaWhenRequestedAndPresent()
    {
        var device = ComputeDevice.Select(1, fallbackToCpu: false, () => true, () => 2);
        Assert.AreEqual(DeviceType.CUDA, device.type);
        Assert.AreEqual(1, device.index);
    }

    [TestMethod]
    public void FallbackOrClearError()
    {
        Assert.AreEqual(DeviceType.CPU, ComputeDevice.Select(0, fallbackToCpu: true, () => false, () => 0).type);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ComputeDevice.Select(0, fallbackToCpu: false, () => false, () => 0));
        StringAssert.Contains(e.Message, "GpuDeviceId is 0 but no CUDA build of libtorch is loaded");
        StringAssert.Contains(e.Message, "FallbackToCpu");
        e = Assert.ThrowsExactly<InvalidOperationException>(() => ComputeDevice.Select(3, fallbackToCpu: false, () => true, () => 1));
        StringAssert.Contains(e.Message, "CUDA device 3 does not exist (1 present)");
        // On this machine (CPU libtorch) a real request falls back or fails the same way.
        var ml = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = true };
        Assert.AreEqual(DeviceType.CPU, ComputeDevice.Select(ml).type);
    }
}
