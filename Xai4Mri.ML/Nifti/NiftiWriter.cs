using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Xai4Mri.ML.Nifti;

/// <summary>
/// Writes NIfTI-1 single files (.nii, or .nii.gz when the name ends in .gz), little-endian, with sform and qform.
/// The file appears atomically: it is written under a temporary name in the same folder and then renamed, so a
/// reader never sees half a file (the data is not forced to disk before the rename, as with most writers).
/// </summary>
public static class NiftiWriter
{
    /// <summary>Writes raw voxels of a supported numeric type with the given geometry.</summary>
    /// <typeparam name="T">byte, sbyte, short, ushort, int, uint, long, ulong, float or double.</typeparam>
    /// <param name="path">Target file; .gz means gzip-compressed.</param>
    /// <param name="voxels">Voxels in file order (first axis fastest); length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">1 to 7 dimensions, each at most 32767 (the NIfTI-1 limit).</param>
    /// <param name="affine">Voxel-to-world transform written as sform and, decomposed, as qform.</param>
    /// <param name="options">Header settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">Shape, voxel count or type do not fit NIfTI-1.</exception>
    /// <exception cref="ImageFormatException">The file cannot be written; the message names it.</exception>
    public static void Write<T>(string path, ReadOnlySpan<T> voxels, ReadOnlySpan<long> shape, Affine affine, NiftiWriteOptions? options = null)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(affine);
        options ??= new NiftiWriteOptions();
        NiftiDataType type = TypeOf<T>();
        byte[] header = NiftiHeaderEncoder.EncodeNifti1(shape, type, affine, options);
        long expected = 1;
        foreach (long d in shape)
        {
            expected *= d;
        }
        if (voxels.Length != expected)
        {
            throw new ArgumentException($"{voxels.Length} voxels given for shape {string.Join('x', shape.ToArray())} ({expected} voxels)", nameof(voxels));
        }
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    using var gz = new GZipStream(fs, options.CompressionLevel, leaveOpen: true);
                    gz.Write(header);
                    gz.Write(MemoryMarshal.AsBytes(voxels));
                }
                else
                {
                    fs.Write(header);
                    fs.Write(MemoryMarshal.AsBytes(voxels));
                }
                fs.Flush();
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ImageFormatException(path, $"cannot write file ({e.Message})", e);
        }
    }

    /// <summary>
    /// Writes float values as an integer type (int16 or uint8) with a slope and intercept chosen so that the value
    /// range maps onto the type's range, or as float32 unchanged. Values that are whole numbers within the type's
    /// range are stored exactly with slope 1, intercept 0.
    /// </summary>
    /// <exception cref="ArgumentException">NaN or infinite values cannot be stored as integers.</exception>
    public static void WriteScaled(string path, ReadOnlySpan<float> values, ReadOnlySpan<long> shape, Affine affine,
        NiftiDataType dataType, NiftiWriteOptions? options = null)
    {
        // The chosen slope and intercept go into a copy: the caller's options stay as given.
        options = options?.Copy() ?? new NiftiWriteOptions();
        switch (dataType)
        {
            case NiftiDataType.Float32:
                Write(path, values, shape, affine, options);
                return;
            case NiftiDataType.Int16:
                Write(path, Quantize<short>(values, short.MinValue, short.MaxValue, options).AsSpan(), shape, affine, options);
                return;
            case NiftiDataType.UInt8:
                Write(path, Quantize<byte>(values, byte.MinValue, byte.MaxValue, options).AsSpan(), shape, affine, options);
                return;
            default:
                throw new ArgumentException($"WriteScaled stores float32, int16 or uint8, not {dataType.NumpyName()}", nameof(dataType));
        }
    }

    private static T[] Quantize<T>(ReadOnlySpan<float> values, double lo, double hi, NiftiWriteOptions options)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        bool whole = true;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"value {v} cannot be stored as an integer type", nameof(values));
            }
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            whole &= v == MathF.Round(v);
        }
        double slope = 1, inter = 0;
        if (values.Length > 0 && !(whole && min >= lo && max <= hi))
        {
            slope = max > min ? (max - min) / (hi - lo) : 1;
            inter = min - (lo * slope);
        }
        options.Slope = slope;
        options.Intercept = inter;
        var raw = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double q = Math.Round((values[i] - inter) / slope);
            raw[i] = T.CreateSaturating(Math.Clamp(q, lo, hi));
        }
        return raw;
    }

    private static NiftiDataType TypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? NiftiDataType.UInt8
        : typeof(T) == typeof(sbyte) ? NiftiDataType.Int8
        : typeof(T) == typeof(short) ? NiftiDataType.Int16
        : typeof(T) == typeof(ushort) ? NiftiDataType.UInt16
        : typeof(T) == typeof(int) ? NiftiDataType.Int32
        : typeof(T) == typeof(uint) ? NiftiDataType.UInt32
        : typeof(T) == typeof(long) ? NiftiDataType.Int64
        : typeof(T) == typeof(ulong) ? NiftiDataType.UInt64
        : typeof(T) == typeof(float) ? NiftiDataType.Float32
        : typeof(T) == typeof(double) ? NiftiDataType.Float64
        : throw new ArgumentException($"{typeof(T).Name} is not a NIfTI voxel type");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary file has a unique name and is harmless if left behind.
        }
    }
}
