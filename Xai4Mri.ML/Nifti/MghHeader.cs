using System.Buffers.Binary;

namespace Xai4Mri.ML.Nifti;

/// <summary>A parsed FreeSurfer MGH/MGZ header (always big-endian), with shape, zooms and affine as nibabel reports them.</summary>
public sealed class MghHeader
{
    /// <summary>Byte offset of the voxel data: the header occupies a fixed 284 bytes.</summary>
    public const int DataOffset = 284;

    /// <summary>Bytes of the fixed header fields that must be present.</summary>
    internal const int FieldsSize = 90;

    /// <summary>width, height, depth, frames.</summary>
    public int[] Dims { get; init; } = [1, 1, 1, 1];

    /// <summary>The MGH type code as stored (0 uchar, 1 int, 3 float, 4 short).</summary>
    public int TypeCode { get; init; }

    /// <summary>The voxel type.</summary>
    public NiftiDataType DataType { get; init; }

    /// <summary>Degrees of freedom field.</summary>
    public int Dof { get; init; }

    /// <summary>Whether the file's direction cosines were valid (<c>goodRASFlag</c>); if not, nibabel's defaults are used.</summary>
    public bool GoodRasFlag { get; init; }

    /// <summary>Voxel sizes in mm.</summary>
    public double[] Delta { get; init; } = [1, 1, 1];

    /// <summary>Direction cosines as stored: row i is the unit direction of voxel axis i in RAS.</summary>
    public double[] Mdc { get; init; } = [-1, 0, 0, 0, 0, 1, 0, -1, 0];

    /// <summary>RAS coordinates (mm) of the volume centre.</summary>
    public double[] PxyzC { get; init; } = [0, 0, 0];

    /// <summary>Repetition time in ms from the optional footer (0 when absent).</summary>
    public double RepetitionTime { get; init; }

    /// <summary>Shape as nibabel reports it: the frame dimension is dropped when it is 1.</summary>
    public long[] Shape => Dims[3] == 1 ? [Dims[0], Dims[1], Dims[2]] : [Dims[0], Dims[1], Dims[2], Dims[3]];

    /// <summary>Voxel sizes, plus the repetition time for 4-D files (as nibabel's <c>get_zooms</c>).</summary>
    public double[] Zooms => Dims[3] > 1 ? [.. Delta, RepetitionTime] : [.. Delta];

    /// <summary>Bytes of voxel data.</summary>
    public long DataBytes => (long)Dims[0] * Dims[1] * Dims[2] * Dims[3] * DataType.SizeOf();

    /// <summary>
    /// The voxel-to-RAS affine: columns are the direction cosines scaled by the voxel sizes, and the translation puts
    /// voxel coordinate dims/2 at the stored centre (FreeSurfer's and nibabel's convention).
    /// </summary>
    public Affine GetAffine()
    {
        // nibabel keeps the MGH affine in float32: the scaled direction cosines are float32 products (a product of two
        // float32 values is exact in double, so one rounding gives the same) and the translation is rounded to float32.
        var m = new double[9];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                m[(r * 3) + c] = (float)(Mdc[(c * 3) + r] * Delta[c]);
            }
        }
        var t = new double[3];
        for (int r = 0; r < 3; r++)
        {
            double centre = 0;
            for (int c = 0; c < 3; c++)
            {
                centre += m[(r * 3) + c] * Dims[c];
            }
            t[r] = (float)(PxyzC[r] - (centre / 2));
        }
        return Affine.FromLinearAndTranslation(m, t);
    }

    /// <summary>Whether <paramref name="first4"/> is an MGH version field (big-endian 1).</summary>
    internal static bool LooksLikeMgh(ReadOnlySpan<byte> first4) =>
        first4.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(first4) == 1;

    /// <summary>Parses the fixed header fields (at least the first 90 bytes).</summary>
    /// <exception cref="ImageFormatException">The bytes are not a readable MGH header.</exception>
    public static MghHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < FieldsSize)
        {
            throw new ImageFormatException(path, $"truncated MGH header: {bytes.Length} bytes, need {FieldsSize}");
        }
        var r = new EndianReader(bytes, bigEndian: true);
        int version = r.I32(0);
        if (version != 1)
        {
            throw new ImageFormatException(path, $"unknown MGH version {version} (expected 1)");
        }
        int[] dims = [r.I32(4), r.I32(8), r.I32(12), r.I32(16)];
        for (int i = 0; i < 4; i++)
        {
            if (dims[i] < 0)
            {
                throw new ImageFormatException(path, $"MGH dimension {i} is negative ({dims[i]})");
            }
        }
        try
        {
            _ = checked((long)dims[0] * dims[1] * dims[2] * dims[3] * 8);
        }
        catch (OverflowException)
        {
            throw new ImageFormatException(path, $"MGH dimensions {string.Join('x', dims)} overflow the voxel count");
        }
        int type = r.I32(20);
        NiftiDataType dataType = type switch
        {
            0 => NiftiDataType.UInt8,
            1 => NiftiDataType.Int32,
            3 => NiftiDataType.Float32,
            4 => NiftiDataType.Int16,
            _ => throw new ImageFormatException(path, $"unsupported MGH datatype {type} (supported: 0 uchar, 1 int, 3 float, 4 short)"),
        };
        bool goodRas = r.I16(28) != 0;
        double[] delta = [1, 1, 1];
        double[] mdc = [-1, 0, 0, 0, 0, 1, 0, -1, 0];
        double[] centre = [0, 0, 0];
        if (goodRas)
        {
            for (int i = 0; i < 3; i++)
            {
                delta[i] = r.F32(30 + (4 * i));
                centre[i] = r.F32(78 + (4 * i));
            }
            for (int i = 0; i < 9; i++)
            {
                mdc[i] = r.F32(42 + (4 * i));
            }
        }
        return new MghHeader
        {
            Dims = dims,
            TypeCode = type,
            DataType = dataType,
            Dof = r.I32(24),
            GoodRasFlag = goodRas,
            Delta = delta,
            Mdc = mdc,
            PxyzC = centre,
        };
    }
}
