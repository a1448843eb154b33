using System.Buffers.Binary;
using System.Text;

namespace Xai4Mri.ML.Nifti;

/// <summary>Reads fixed-offset header fields in either byte order; all byte-level header parsing goes through here.</summary>
internal readonly ref struct EndianReader
{
    private readonly ReadOnlySpan<byte> _data;

    public EndianReader(ReadOnlySpan<byte> data, bool bigEndian)
    {
        _data = data;
        BigEndian = bigEndian;
    }

    public bool BigEndian { get; }

    public byte U8(int offset) => _data[offset];

    public short I16(int offset) => BigEndian
        ? BinaryPrimitives.ReadInt16BigEndian(_data[offset..])
        : BinaryPrimitives.ReadInt16LittleEndian(_data[offset..]);

    public int I32(int offset) => BigEndian
        ? BinaryPrimitives.ReadInt32BigEndian(_data[offset..])
        : BinaryPrimitives.ReadInt32LittleEndian(_data[offset..]);

    public long I64(int offset) => BigEndian
        ? BinaryPrimitives.ReadInt64BigEndian(_data[offset..])
        : BinaryPrimitives.ReadInt64LittleEndian(_data[offset..]);

    public float F32(int offset) => BigEndian
        ? BinaryPrimitives.ReadSingleBigEndian(_data[offset..])
        : BinaryPrimitives.ReadSingleLittleEndian(_data[offset..]);

    public double F64(int offset) => BigEndian
        ? BinaryPrimitives.ReadDoubleBigEndian(_data[offset..])
        : BinaryPrimitives.ReadDoubleLittleEndian(_data[offset..]);

    /// <summary>A NUL-terminated Latin-1 string field of <paramref name="length"/> bytes.</summary>
    public string Text(int offset, int length)
    {
        var field = _data.Slice(offset, length);
        int end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }
}
