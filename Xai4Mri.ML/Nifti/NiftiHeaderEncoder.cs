using System.Buffers.Binary;
using System.Text;

namespace Xai4Mri.ML.Nifti;

/// <summary>Encodes NIfTI-1 headers (little-endian, single file, no extensions): the writing half of the byte layout.</summary>
internal static class NiftiHeaderEncoder
{
    public static byte[] EncodeNifti1(ReadOnlySpan<long> shape, NiftiDataType type, Affine affine, NiftiWriteOptions options)
    {
        if (shape.Length is < 1 or > 7)
        {
            throw new ArgumentException($"NIfTI images have 1 to 7 dimensions, not {shape.Length}", nameof(shape));
        }
        foreach (long d in shape)
        {
            if (d is < 0 or > short.MaxValue)
            {
                throw new ArgumentException($"dimension {d} does not fit NIfTI-1 (0..32767)", nameof(shape));
            }
        }
        for (int row = 0; row < 4; row++)
        {
            for (int col = 0; col < 4; col++)
            {
                if (!double.IsFinite(affine[row, col]))
                {
                    throw new ArgumentException($"affine element [{row},{col}] is {affine[row, col]}", nameof(affine));
                }
            }
        }
        var h = new byte[NiftiHeader.Nifti1HeaderSize + 4];
        var s = h.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, NiftiHeader.Nifti1HeaderSize);
        h[38] = (byte)'r';
        BinaryPrimitives.WriteInt16LittleEndian(s[40..], (short)shape.Length);
        for (int i = 0; i < 7; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[(42 + (2 * i))..], (short)(i < shape.Length ? shape[i] : 1));
        }
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], (short)type);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], (short)(type.SizeOf() * 8));

        var (b, c, d2, qfac, affineZooms) = QuaternionMath.FromAffine(affine);
        double[] zooms = options.Zooms ?? [.. affineZooms.Take(Math.Min(3, shape.Length)), .. Enumerable.Repeat(1.0, Math.Max(0, shape.Length - 3))];
        if (zooms.Length != shape.Length)
        {
            throw new ArgumentException($"{zooms.Length} zooms given for {shape.Length} dimensions", nameof(options));
        }
        WriteF32(s, 76, qfac);
        for (int i = 0; i < 7; i++)
        {
            WriteF32(s, 80 + (4 * i), i < zooms.Length ? zooms[i] : 1);
        }
        WriteF32(s, 108, NiftiHeader.Nifti1HeaderSize + 4);
        WriteF32(s, 112, options.Slope);
        WriteF32(s, 116, options.Intercept);
        h[123] = options.XyztUnits;
        byte[] descrip = Encoding.Latin1.GetBytes(options.Description);
        descrip.AsSpan(0, Math.Min(79, descrip.Length)).CopyTo(s[148..]);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], options.QformCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], options.SformCode);
        WriteF32(s, 256, b);
        WriteF32(s, 260, c);
        WriteF32(s, 264, d2);
        WriteF32(s, 268, affine[0, 3]);
        WriteF32(s, 272, affine[1, 3]);
        WriteF32(s, 276, affine[2, 3]);
        for (int r = 0; r < 3; r++)
        {
            for (int col = 0; col < 4; col++)
            {
                WriteF32(s, 280 + (16 * r) + (4 * col), affine[r, col]);
            }
        }
        "n+1\0"u8.CopyTo(s[344..]);
        return h;
    }

    private static void WriteF32(Span<byte> s, int offset, double value) =>
        BinaryPrimitives.WriteSingleLittleEndian(s[offset..], (float)value);
}
