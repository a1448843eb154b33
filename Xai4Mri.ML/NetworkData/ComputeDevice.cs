using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Chooses where networks run, as ML.NET's own TorchSharp trainers do: the CPU by default; CUDA device
/// <see cref="MLContext.GpuDeviceId"/> when it is set and a CUDA build of libtorch is present; otherwise the CPU if
/// <see cref="MLContext.FallbackToCpu"/>, else an error.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The device for <paramref name="ml"/>'s settings.</summary>
    /// <exception cref="InvalidOperationException">A GPU was requested, none is usable, and falling back to the CPU is not allowed.</exception>
    public static Device Select(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return Select(ml.GpuDeviceId, ml.FallbackToCpu, cuda.is_available, cuda.device_count);
    }

    /// <summary>
    /// The device for the settings of the environment behind an ML.NET catalog (the MLContext's host): its
    /// <c>GpuDeviceId</c> and <c>FallbackToCpu</c>, which ML.NET keeps on an internal interface, are read by name.
    /// </summary>
    internal static Device Select(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env is MLContext ml)
        {
            return Select(ml);
        }
        int? gpu = MLNetInternals.HostSetting(env, nameof(MLContext.GpuDeviceId)) as int?;
        bool fallback = MLNetInternals.HostSetting(env, nameof(MLContext.FallbackToCpu)) as bool? ?? false;
        return Select(gpu, fallback, cuda.is_available, cuda.device_count);
    }

    /// <summary>The rule behind <see cref="Select(MLContext)"/>, with the CUDA probes passed in (testable without a GPU).</summary>
    internal static Device Select(int? gpuDeviceId, bool fallbackToCpu, Func<bool> cudaAvailable, Func<int> cudaDevices)
    {
        if (gpuDeviceId is not { } id)
        {
            return CPU;
        }
        if (cudaAvailable() && id >= 0 && id < cudaDevices())
        {
            return new Device(DeviceType.CUDA, id);
        }
        if (fallbackToCpu)
        {
            return CPU;
        }
        string why = cudaAvailable() ? $"CUDA device {id} does not exist ({cudaDevices()} present)" : "no CUDA build of libtorch is loaded (Xai4Mri.ML references libtorch-cpu)";
        throw new InvalidOperationException($"MLContext.GpuDeviceId is {id} but {why}; set MLContext.FallbackToCpu = true to run on the CPU instead.");
    }
}
