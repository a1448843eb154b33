using System.Runtime.InteropServices;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Process-wide libtorch settings applied before our first tensor. On Linux, large CPU tensors are allocated on
/// transparent huge pages (libtorch's <c>THP_MEM_ALLOC_ENABLE</c>) unless the user set that variable: every
/// activation of a 3-D CNN is a fresh multi-megabyte allocation, and faulting it in 4 KiB pages dominated MRInet's
/// run time on virtual machines (measured: a 1→16-channel Conv3d on 91×109×91 went from 469 ms to 48 ms).
/// </summary>
internal static class TorchRuntime
{
    private static int _configured;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }
        // .NET's Environment.SetEnvironmentVariable does not reach native getenv on Unix; libtorch reads the native
        // environment, so set it there (overwrite = 0 keeps a value the user chose).
        _ = setenv("THP_MEM_ALLOC_ENABLE", "1", 0);
    }

    // DllImport rather than LibraryImport: the source-generated form needs unsafe code, which the project keeps off.
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
