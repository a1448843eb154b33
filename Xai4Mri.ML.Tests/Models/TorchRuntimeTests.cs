using System.Runtime.InteropServices;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>Building a network turns on libtorch's huge-page allocation in the native environment (Linux), once.</summary>
[TestClass]
public sealed class TorchRuntimeTests
{
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr getenv(string name);

    [TestMethod]
    public void HugePageAllocationIsEnabledBeforeTheFirstNetwork()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("the setting only applies on Linux");
        }
        using var net = new NetworkModule(Architectures.MriNet([8, 8, 8]));
        Assert.AreEqual("1", Marshal.PtrToStringAnsi(getenv("THP_MEM_ALLOC_ENABLE")));
    }
}
