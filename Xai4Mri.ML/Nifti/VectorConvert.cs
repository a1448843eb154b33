using System.Numerics;

namespace Xai4Mri.ML.Nifti;

/// <summary>SIMD widening conversions for the common unscaled types (uint8, int16), which dominate MRI files.</summary>
internal static class VectorConvert
{
    public static void Int16ToFloat(ReadOnlySpan<short> src, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<short>.Count;
            for (; i <= src.Length - step; i += step)
            {
                var v = new Vector<short>(src[i..]);
                Vector.Widen(v, out Vector<int> lo, out Vector<int> hi);
                Vector.ConvertToSingle(lo).CopyTo(dst[i..]);
                Vector.ConvertToSingle(hi).CopyTo(dst[(i + Vector<int>.Count)..]);
            }
        }
        for (; i < src.Length; i++)
        {
            dst[i] = src[i];
        }
    }

    public static void UInt8ToFloat(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<byte>.Count;
            int quarter = Vector<int>.Count;
            for (; i <= src.Length - step; i += step)
            {
                var v = new Vector<byte>(src[i..]);
                Vector.Widen(v, out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                Vector.ConvertToSingle(Vector.AsVectorInt32(a)).CopyTo(dst[i..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(b)).CopyTo(dst[(i + quarter)..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(c)).CopyTo(dst[(i + (2 * quarter))..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(d)).CopyTo(dst[(i + (3 * quarter))..]);
            }
        }
        for (; i < src.Length; i++)
        {
            dst[i] = src[i];
        }
    }
}
