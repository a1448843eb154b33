using static TorchSharp.torch;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Tensors from managed arrays, copied into memory libtorch allocates. <c>torch.tensor(float[])</c> wraps the
/// array in place, and a managed array's address (hence its alignment) changes from run to run; libtorch's
/// vectorised kernels sum in an order that depends on alignment, so training on wrapped arrays differed in the last
/// bit between identical runs. Libtorch's own allocations are always 64-byte aligned.
/// </summary>
internal static class OwnedTensor
{
    public static Tensor From(float[] values, long[] shape)
    {
        using var view = tensor(values, shape);
        return view.clone();
    }

    public static Tensor From(float[] values)
    {
        using var view = tensor(values);
        return view.clone();
    }
}
