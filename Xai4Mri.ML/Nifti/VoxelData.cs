using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Xai4Mri.ML.Nifti;

/// <summary>
/// Where and how an image's voxels are stored (file, offset, type, byte order, scaling); reads them on demand, like
/// nibabel's array proxy. Voxels are in file order: the first axis varies fastest.
/// </summary>
public sealed class VoxelData
{
    private const int ChunkBytes = 1 << 17;
    private readonly long _compressedLength;

    /// <summary>The header field the offset comes from, for messages about a file that ends before it.</summary>
    private readonly string _offsetField;

    internal VoxelData(string dataFilePath, long offset, bool compressed, NiftiDataType dataType, bool bigEndian,
        long[] shape, (double Slope, double Intercept)? scaling, string offsetField = "vox_offset")
    {
        _offsetField = offsetField;
        DataFilePath = dataFilePath;
        Offset = offset;
        IsCompressed = compressed;
        DataType = dataType;
        IsBigEndian = bigEndian;
        Shape = shape;
        // A slope of 1 with intercept 0 changes nothing; dropping it keeps the fast paths.
        Scaling = scaling is (1, 0) ? null : scaling;
        long n = 1;
        foreach (long d in shape)
        {
            n = checked(n * d);
        }
        VoxelCount = n;
        _compressedLength = ImageFileAccess.Length(dataFilePath);
    }

    /// <summary>The file holding the voxels (the .img of a pair, else the image file itself).</summary>
    public string DataFilePath { get; }

    /// <summary>Byte offset of the first voxel in the (decompressed) data file.</summary>
    public long Offset { get; }

    /// <summary>True when the data file is gzip-compressed.</summary>
    public bool IsCompressed { get; }

    /// <summary>On-disk voxel type.</summary>
    public NiftiDataType DataType { get; }

    /// <summary>True when voxels are stored big-endian.</summary>
    public bool IsBigEndian { get; }

    /// <summary>Data shape (first axis fastest in memory).</summary>
    public long[] Shape { get; }

    /// <summary>Number of voxels (product of <see cref="Shape"/>).</summary>
    public long VoxelCount { get; }

    /// <summary>Slope and intercept applied by the float readers, or null for none.</summary>
    public (double Slope, double Intercept)? Scaling { get; }

    /// <summary>Bytes of voxel data on disk.</summary>
    public long ByteCount => VoxelCount * DataType.SizeOf();

    /// <summary>
    /// Reads all voxels as float32 after scaling. Scaling is computed in float64 and rounded once, so values equal
    /// nibabel's <c>get_fdata(dtype=float64).astype(float32)</c> bit for bit.
    /// </summary>
    /// <exception cref="ImageFormatException">The file is truncated, corrupt, or too large for one array.</exception>
    public float[] ReadFloat32()
    {
        CheckReadable(DataFilePath, checkArrayLength: true);
        var result = GC.AllocateUninitializedArray<float>((int)VoxelCount);
        ReadFloat32(result);
        return result;
    }

    /// <summary>Reads all voxels as float32 after scaling into <paramref name="destination"/> (exactly <see cref="VoxelCount"/> long).</summary>
    /// <exception cref="ImageFormatException">The file is truncated or corrupt.</exception>
    public void ReadFloat32(Span<float> destination)
    {
        if (destination.Length != VoxelCount)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, the image has {VoxelCount}", nameof(destination));
        }
        CheckReadable(DataFilePath, checkArrayLength: false);
        ReadFloat32Prefix(destination);
    }

    /// <summary>
    /// Reads the first <paramref name="destination"/>.Length voxels as float32 after scaling (the first volume of a
    /// 4-D image without reading the others).
    /// </summary>
    /// <exception cref="ImageFormatException">The file is truncated or corrupt.</exception>
    internal void ReadFloat32Prefix(Span<float> destination)
    {
        if (destination.Length > VoxelCount)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, the image has {VoxelCount}", nameof(destination));
        }
        CheckReadable(DataFilePath, checkArrayLength: false);
        if (DataType == NiftiDataType.Float32 && Scaling is null)
        {
            ReadValues(destination);
            if (IsBigEndian)
            {
                var asInt = MemoryMarshal.Cast<float, int>(destination);
                BinaryPrimitives.ReverseEndianness(asInt, asInt);
            }
            return;
        }
        int size = DataType.SizeOf();
        using var reader = new ChunkReader(this, (long)destination.Length * size);
        while (reader.TryNext(out var chunk, out int first))
        {
            ConvertToFloat(chunk, destination.Slice(first, chunk.Length / size));
        }
    }

    /// <summary>Reads the unscaled voxels into a typed array of <see cref="NiftiDataTypeInfo.ClrType"/> (e.g. <c>short[]</c>), in machine byte order.</summary>
    /// <exception cref="ImageFormatException">The file is truncated, corrupt, or too large for one array.</exception>
    public Array ReadRaw() => DataType switch
    {
        NiftiDataType.UInt8 => ReadRaw<byte>(),
        NiftiDataType.Int8 => ReadRaw<sbyte>(),
        NiftiDataType.Int16 => ReadRaw<short>(),
        NiftiDataType.UInt16 => ReadRaw<ushort>(),
        NiftiDataType.Int32 => ReadRaw<int>(),
        NiftiDataType.UInt32 => ReadRaw<uint>(),
        NiftiDataType.Int64 => ReadRaw<long>(),
        NiftiDataType.UInt64 => ReadRaw<ulong>(),
        NiftiDataType.Float32 => ReadRaw<float>(),
        _ => ReadRaw<double>(),
    };

    /// <summary>Reads the unscaled voxels as <typeparamref name="T"/>, which must be the CLR type of <see cref="DataType"/>.</summary>
    /// <exception cref="ImageFormatException">The file is truncated, corrupt, or too large for one array.</exception>
    public T[] ReadRaw<T>() where T : unmanaged
    {
        if (typeof(T) != DataType.ClrType())
        {
            throw new InvalidOperationException($"{DataFilePath}: voxels are {DataType.NumpyName()}, not {typeof(T).Name}");
        }
        CheckReadable(DataFilePath, checkArrayLength: true);
        var result = GC.AllocateUninitializedArray<T>((int)VoxelCount);
        ReadValues<T>(result);
        if (IsBigEndian)
        {
            // Per part: the bytes of more than 2 GB of voxels do not fit one span.
            for (long start = 0; start < result.Length; start += MaxValuesPerRead<T>())
            {
                int count = (int)Math.Min(MaxValuesPerRead<T>(), result.Length - start);
                SwapInPlace(MemoryMarshal.AsBytes(result.AsSpan((int)start, count)), DataType.SizeOf());
            }
        }
        return result;
    }

    /// <summary>Min, max, sum, mean and NaN count of the scaled values in float64, streaming (no full copy in memory).</summary>
    /// <exception cref="ImageFormatException">The file is truncated or corrupt.</exception>
    public VoxelStatistics ComputeStatistics()
    {
        CheckReadable(DataFilePath, checkArrayLength: false);
        var acc = new StatsAccumulator();
        using (var reader = new ChunkReader(this, ByteCount))
        {
            while (reader.TryNext(out var chunk, out _))
            {
                Accumulate(chunk, ref acc);
            }
        }
        return acc.Count == 0
            ? new VoxelStatistics(0, acc.NanCount, double.NaN, double.NaN, 0, double.NaN)
            : new VoxelStatistics(acc.Count, acc.NanCount, acc.Min, acc.Max, acc.Sum, acc.Sum / acc.Count);
    }

    /// <summary>
    /// Rejects, before anything is allocated, data the file cannot hold: more bytes than an uncompressed file has
    /// after the offset, or more than deflate could expand a compressed file to.
    /// </summary>
    internal void CheckReadable(string path, bool checkArrayLength)
    {
        long needed;
        try
        {
            needed = checked(VoxelCount * DataType.SizeOf());
            _ = checked(needed + Offset);
        }
        catch (OverflowException)
        {
            throw new ImageFormatException(path, $"{VoxelCount} voxels of {DataType.NumpyName()} overflow the file size");
        }
        if (checkArrayLength && VoxelCount > Array.MaxLength)
        {
            throw new ImageFormatException(path, $"{VoxelCount} voxels exceed the largest array .NET can allocate ({Array.MaxLength}); read it in parts");
        }
        if (IsCompressed)
        {
            if (needed + Offset > (_compressedLength * ImageFileAccess.MaxDeflateRatio) + (1 << 20))
            {
                throw new ImageFormatException(path, $"header announces {needed} bytes of voxel data ({string.Join('x', Shape)} {DataType.NumpyName()}), more than a {_compressedLength}-byte gzip file can hold");
            }
        }
        else if (needed > 0 && Offset >= _compressedLength)
        {
            throw new ImageFormatException(path, $"{_offsetField} {Offset} lies past the end of the {_compressedLength}-byte file: there is no voxel data");
        }
        else if (_compressedLength - Offset < needed)
        {
            throw new ImageFormatException(path, $"file is truncated: {string.Join('x', Shape)} {DataType.NumpyName()} needs {needed} bytes of voxel data from offset {Offset}, the file has {Math.Max(0, _compressedLength - Offset)}");
        }
    }

    private Stream OpenAtData()
    {
        Stream s = ImageFileAccess.OpenRead(DataFilePath, IsCompressed);
        try
        {
            ImageFileAccess.Skip(s, Offset, DataFilePath, $"{_offsetField} {Offset}, where the voxel data should start");
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Values per read: a span of bytes holds at most 2 GB, and 1 GB parts keep each read's length an int.</summary>
    private static int MaxValuesPerRead<T>() where T : unmanaged => (1 << 30) / Unsafe.SizeOf<T>();

    /// <summary>The first <paramref name="destination"/>.Length voxels' bytes as stored, read in parts of at most 1 GB.</summary>
    private void ReadValues<T>(Span<T> destination) where T : unmanaged
    {
        long total = (long)destination.Length * Unsafe.SizeOf<T>();
        using Stream? s = IsCompressed ? OpenAtData() : null;
        using var fs = IsCompressed ? null : ImageFileAccess.OpenRaw(DataFilePath, bufferSize: 0);
        long done = 0;
        for (int start = 0; start < destination.Length; start += MaxValuesPerRead<T>())
        {
            var bytes = MemoryMarshal.AsBytes(destination.Slice(start, Math.Min(MaxValuesPerRead<T>(), destination.Length - start)));
            int read = 0;
            while (read < bytes.Length)
            {
                int n = s is not null ? ImageFileAccess.ReadUpTo(s, bytes[read..], DataFilePath) : RandomAccess.Read(fs!.SafeFileHandle, bytes[read..], Offset + done + read);
                if (n == 0)
                {
                    ThrowTruncated(done + read, total);
                }
                read += n;
            }
            done += read;
        }
    }

    /// <summary>Streams the voxel bytes in chunks of whole voxels, converted to machine byte order.</summary>
    private sealed class ChunkReader : IDisposable
    {
        private readonly VoxelData _owner;
        private readonly Stream _stream;
        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        private readonly int _size;
        private readonly long _total;
        private long _done;

        /// <summary>Reads the first <paramref name="byteCount"/> bytes of the voxel data.</summary>
        public ChunkReader(VoxelData owner, long byteCount)
        {
            _owner = owner;
            _size = owner.DataType.SizeOf();
            _total = byteCount;
            _stream = owner.OpenAtData();
        }

        public bool TryNext(out ReadOnlySpan<byte> chunk, out int firstVoxel)
        {
            long total = _total;
            firstVoxel = (int)Math.Min(int.MaxValue, _done / _size);
            if (_done >= total)
            {
                chunk = default;
                return false;
            }
            int want = (int)Math.Min(ChunkBytes, total - _done);
            var span = _buffer.AsSpan(0, want);
            int got = ImageFileAccess.ReadUpTo(_stream, span, _owner.DataFilePath);
            if (got < want)
            {
                _owner.ThrowTruncated(_done + got, total);
            }
            if (_owner.IsBigEndian)
            {
                SwapInPlace(span, _size);
            }
            _done += want;
            chunk = span;
            return true;
        }

        public void Dispose()
        {
            _stream.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    private void ThrowTruncated(long got, long expected) => throw new ImageFormatException(
        DataFilePath, $"voxel data is truncated: expected {expected} bytes, the file ends after {got}");

    private static void SwapInPlace(Span<byte> bytes, int size)
    {
        switch (size)
        {
            case 2:
                var s16 = MemoryMarshal.Cast<byte, short>(bytes);
                BinaryPrimitives.ReverseEndianness(s16, s16);
                break;
            case 4:
                var s32 = MemoryMarshal.Cast<byte, int>(bytes);
                BinaryPrimitives.ReverseEndianness(s32, s32);
                break;
            case 8:
                var s64 = MemoryMarshal.Cast<byte, long>(bytes);
                BinaryPrimitives.ReverseEndianness(s64, s64);
                break;
        }
    }

    private void ConvertToFloat(ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (DataType)
        {
            case NiftiDataType.UInt8 when Scaling is null:
                VectorConvert.UInt8ToFloat(src, dst);
                break;
            case NiftiDataType.Int16 when Scaling is null:
                VectorConvert.Int16ToFloat(MemoryMarshal.Cast<byte, short>(src), dst);
                break;
            case NiftiDataType.UInt8: Convert<byte>(src, dst); break;
            case NiftiDataType.Int8: Convert<sbyte>(src, dst); break;
            case NiftiDataType.Int16: Convert<short>(src, dst); break;
            case NiftiDataType.UInt16: Convert<ushort>(src, dst); break;
            case NiftiDataType.Int32: Convert<int>(src, dst); break;
            case NiftiDataType.UInt32: Convert<uint>(src, dst); break;
            case NiftiDataType.Int64: Convert<long>(src, dst); break;
            case NiftiDataType.UInt64: Convert<ulong>(src, dst); break;
            case NiftiDataType.Float32: Convert<float>(src, dst); break;
            default: Convert<double>(src, dst); break;
        }
    }

    private void Convert<T>(ReadOnlySpan<byte> bytes, Span<float> dst) where T : unmanaged, INumberBase<T>
    {
        var src = MemoryMarshal.Cast<byte, T>(bytes);
        var scaler = new Scaler(Scaling);
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = (float)scaler.Apply(double.CreateTruncating(src[i]));
        }
    }

    /// <summary>
    /// Applies slope and intercept in float64. nibabel multiplies only when slope ≠ 1 and adds only when
    /// intercept ≠ 0; doing the same keeps -0.0 and bit-identical results.
    /// </summary>
    private readonly struct Scaler((double Slope, double Intercept)? scaling)
    {
        private readonly double _slope = scaling?.Slope ?? 1;
        private readonly double _intercept = scaling?.Intercept ?? 0;
        private readonly bool _multiply = (scaling?.Slope ?? 1) != 1;
        private readonly bool _add = (scaling?.Intercept ?? 0) != 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Apply(double v)
        {
            if (_multiply)
            {
                v *= _slope;
            }
            if (_add)
            {
                v += _intercept;
            }
            return v;
        }
    }

    private struct StatsAccumulator
    {
        public long Count;
        public long NanCount;
        public double Min;
        public double Max;
        public double Sum;

        public StatsAccumulator()
        {
            Min = double.PositiveInfinity;
            Max = double.NegativeInfinity;
        }
    }

    private void Accumulate(ReadOnlySpan<byte> chunk, ref StatsAccumulator acc)
    {
        switch (DataType)
        {
            case NiftiDataType.UInt8: Accumulate<byte>(chunk, ref acc); break;
            case NiftiDataType.Int8: Accumulate<sbyte>(chunk, ref acc); break;
            case NiftiDataType.Int16: Accumulate<short>(chunk, ref acc); break;
            case NiftiDataType.UInt16: Accumulate<ushort>(chunk, ref acc); break;
            case NiftiDataType.Int32: Accumulate<int>(chunk, ref acc); break;
            case NiftiDataType.UInt32: Accumulate<uint>(chunk, ref acc); break;
            case NiftiDataType.Int64: Accumulate<long>(chunk, ref acc); break;
            case NiftiDataType.UInt64: Accumulate<ulong>(chunk, ref acc); break;
            case NiftiDataType.Float32: Accumulate<float>(chunk, ref acc); break;
            default: Accumulate<double>(chunk, ref acc); break;
        }
    }

    private void Accumulate<T>(ReadOnlySpan<byte> bytes, ref StatsAccumulator acc) where T : unmanaged, INumberBase<T>
    {
        var src = MemoryMarshal.Cast<byte, T>(bytes);
        var scaler = new Scaler(Scaling);
        double min = acc.Min, max = acc.Max, sum = 0;
        long nan = 0;
        for (int i = 0; i < src.Length; i++)
        {
            double v = scaler.Apply(double.CreateTruncating(src[i]));
            if (double.IsNaN(v))
            {
                nan++;
                continue;
            }
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        acc.Min = min;
        acc.Max = max;
        // Summing per chunk, then chunks, keeps rounding error close to NumPy's pairwise sum.
        acc.Sum += sum;
        acc.NanCount += nan;
        acc.Count += src.Length - nan;
    }
}
