using System.Buffers.Binary;
using System.Text;

namespace Xai4Mri.ML.Nifti;

/// <summary>
/// A parsed NIfTI-1 or NIfTI-2 header (single file or .hdr/.img pair), with the derived shape, zooms and affine
/// as nibabel reports them.
/// </summary>
/// <remarks>
/// On reading, the same repairs nibabel applies when it loads a header are applied here, so that values agree:
/// <c>pixdim[0]</c> (qfac) other than ±1 becomes 1, zero <c>pixdim[1..3]</c> become 1 and negative ones their
/// absolute value, and unknown qform/sform codes become 0.
/// </remarks>
public sealed class NiftiHeader
{
    /// <summary>Size of the NIfTI-1 header in bytes.</summary>
    public const int Nifti1HeaderSize = 348;

    /// <summary>Size of the NIfTI-2 header in bytes.</summary>
    public const int Nifti2HeaderSize = 540;

    private static readonly byte[] Nifti2Eol = [0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>1 for NIfTI-1, 2 for NIfTI-2.</summary>
    public int Version { get; init; } = 1;

    /// <summary>True for a header of a .hdr/.img pair (magic <c>ni1</c>/<c>ni2</c>).</summary>
    public bool IsPair { get; init; }

    /// <summary>True when the file is big-endian.</summary>
    public bool IsBigEndian { get; init; }

    /// <summary>The raw <c>dim</c> field (8 values; <c>dim[0]</c> is the number of dimensions).</summary>
    public long[] Dim { get; init; } = [3, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>The <c>pixdim</c> field after nibabel's load-time repairs (8 values; <c>pixdim[0]</c> is qfac).</summary>
    public double[] PixDim { get; init; } = [1, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>The on-disk voxel type.</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary>The <c>bitpix</c> field as stored (the reader trusts <see cref="DataType"/>, as nibabel does).</summary>
    public int BitPix { get; init; }

    /// <summary>Byte offset of the voxel data in the data file.</summary>
    public long VoxOffset { get; init; }

    /// <summary>The <c>scl_slope</c> field as stored.</summary>
    public double SclSlope { get; init; } = double.NaN;

    /// <summary>The <c>scl_inter</c> field as stored.</summary>
    public double SclInter { get; init; } = double.NaN;

    /// <summary>The <c>qform_code</c> (0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template).</summary>
    public int QformCode { get; init; }

    /// <summary>The <c>sform_code</c> (same codes as <see cref="QformCode"/>).</summary>
    public int SformCode { get; init; }

    /// <summary>Quaternion parameters b, c, d of the qform.</summary>
    public double QuaternB { get; init; }

    /// <summary>Quaternion parameter c.</summary>
    public double QuaternC { get; init; }

    /// <summary>Quaternion parameter d.</summary>
    public double QuaternD { get; init; }

    /// <summary>qform translation x (mm).</summary>
    public double QOffsetX { get; init; }

    /// <summary>qform translation y (mm).</summary>
    public double QOffsetY { get; init; }

    /// <summary>qform translation z (mm).</summary>
    public double QOffsetZ { get; init; }

    /// <summary>First row of the sform.</summary>
    public double[] SRowX { get; init; } = [1, 0, 0, 0];

    /// <summary>Second row of the sform.</summary>
    public double[] SRowY { get; init; } = [0, 1, 0, 0];

    /// <summary>Third row of the sform.</summary>
    public double[] SRowZ { get; init; } = [0, 0, 1, 0];

    /// <summary>The <c>xyzt_units</c> field (spatial units in bits 0–2, temporal in bits 3–5).</summary>
    public int XyztUnits { get; init; }

    /// <summary>The <c>intent_code</c> field.</summary>
    public int IntentCode { get; init; }

    /// <summary>The <c>intent_name</c> field.</summary>
    public string IntentName { get; init; } = "";

    /// <summary>The <c>descrip</c> field.</summary>
    public string Description { get; init; } = "";

    /// <summary>The <c>aux_file</c> field.</summary>
    public string AuxFile { get; init; } = "";

    /// <summary>The <c>cal_min</c> display range lower bound.</summary>
    public double CalMin { get; init; }

    /// <summary>The <c>cal_max</c> display range upper bound.</summary>
    public double CalMax { get; init; }

    /// <summary>The <c>dim_info</c> byte (frequency, phase and slice dimensions).</summary>
    public byte DimInfo { get; init; }

    /// <summary>Header extensions, in file order.</summary>
    public IReadOnlyList<NiftiExtension> Extensions { get; init; } = [];

    /// <summary>The data shape: <c>dim[1..dim[0]]</c>, trailing singleton dimensions kept.</summary>
    public long[] Shape => Dim[1..(int)(Dim[0] + 1)];

    /// <summary>Voxel sizes: <c>pixdim[1..dim[0]]</c>.</summary>
    public double[] Zooms => PixDim[1..(int)(Dim[0] + 1)];

    /// <summary>The slope and intercept to apply to raw values, or null when the header asks for none (slope 0 or not finite).</summary>
    public (double Slope, double Intercept)? Scaling =>
        SclSlope == 0 || !double.IsFinite(SclSlope) ? null : (SclSlope, SclInter);

    /// <summary>The affine nibabel's <c>img.affine</c> gives: sform if its code is set, else qform if set, else from pixdim.</summary>
    public Affine GetBestAffine()
    {
        if (SformCode != 0)
        {
            return GetSform();
        }
        return QformCode != 0 ? GetQform() : GetBaseAffine();
    }

    /// <summary>The sform matrix from <c>srow_x/y/z</c>.</summary>
    public Affine GetSform() => new([.. SRowX, .. SRowY, .. SRowZ, 0, 0, 0, 1]);

    /// <summary>The qform matrix from the quaternion, pixdim, qfac and offsets (NIfTI standard method 2).</summary>
    public Affine GetQform()
    {
        var (a, b, c, d) = QuaternionMath.Complete(QuaternB, QuaternC, QuaternD);
        double[] r = QuaternionMath.ToRotation(a, b, c, d);
        double qfac = PixDim[0] < 0 ? -1 : 1;
        double[] vox = [PixDim[1], PixDim[2], PixDim[3] * qfac];
        var m = new double[9];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                m[(i * 3) + j] = r[(i * 3) + j] * vox[j];
            }
        }
        return Affine.FromLinearAndTranslation(m, [QOffsetX, QOffsetY, QOffsetZ]);
    }

    /// <summary>
    /// The fallback affine from voxel sizes alone (NIfTI method 1 as nibabel implements it): x flipped and the
    /// origin at the centre of the first three dimensions.
    /// </summary>
    public Affine GetBaseAffine()
    {
        long[] shape = Shape;
        double[] zooms = Zooms;
        var s = new double[3];
        var z = new double[3];
        for (int i = 0; i < 3; i++)
        {
            s[i] = i < shape.Length ? shape[i] : 1;
            z[i] = i < zooms.Length ? zooms[i] : 1;
        }
        z[0] = -z[0];
        return Affine.FromLinearAndTranslation(
            [z[0], 0, 0, 0, z[1], 0, 0, 0, z[2]],
            [-(s[0] - 1) / 2 * z[0], -(s[1] - 1) / 2 * z[1], -(s[2] - 1) / 2 * z[2]]);
    }

    /// <summary>Whether <paramref name="first4"/> starts a NIfTI-1 or NIfTI-2 header in either byte order.</summary>
    internal static bool LooksLikeNifti(ReadOnlySpan<byte> first4)
    {
        if (first4.Length < 4)
        {
            return false;
        }
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        int be = BinaryPrimitives.ReadInt32BigEndian(first4);
        return le is Nifti1HeaderSize or Nifti2HeaderSize || be is Nifti1HeaderSize or Nifti2HeaderSize;
    }

    /// <summary>
    /// Whether <paramref name="head"/> carries a NIfTI magic where NIfTI-1 (<c>n+1</c>/<c>ni1</c> at byte 344) or
    /// NIfTI-2 (<c>n+2</c>/<c>ni2</c> at byte 4) has it, whatever <c>sizeof_hdr</c> says: a NIfTI file with a damaged
    /// size field is then reported as that, not as an unknown format.
    /// </summary>
    internal static bool HasNiftiMagic(ReadOnlySpan<byte> head) =>
        (head.Length >= 348 && (head.Slice(344, 4).SequenceEqual("n+1\0"u8) || head.Slice(344, 4).SequenceEqual("ni1\0"u8)))
        || (head.Length >= 8 && (head.Slice(4, 4).SequenceEqual("n+2\0"u8) || head.Slice(4, 4).SequenceEqual("ni2\0"u8)));

    /// <summary>The header size announced by <c>sizeof_hdr</c> (348 or 540), or 0 when it is neither.</summary>
    internal static int AnnouncedSize(ReadOnlySpan<byte> first4)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        int be = BinaryPrimitives.ReadInt32BigEndian(first4);
        return le is Nifti1HeaderSize or Nifti2HeaderSize ? le : be is Nifti1HeaderSize or Nifti2HeaderSize ? be : 0;
    }

    /// <summary>
    /// Parses a header from its bytes (the header itself plus, when present, the extension bytes that follow it).
    /// </summary>
    /// <param name="bytes">At least 348 (NIfTI-1) or 540 (NIfTI-2) bytes.</param>
    /// <param name="path">The file name used in error messages.</param>
    /// <param name="singleFile">True for .nii (data in the same file), false for a .hdr of a pair.</param>
    /// <exception cref="ImageFormatException">The bytes are not a readable NIfTI header.</exception>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string path, bool singleFile)
    {
        if (bytes.Length < 4)
        {
            throw new ImageFormatException(path, $"file too short for a NIfTI header ({bytes.Length} bytes)");
        }
        int size = AnnouncedSize(bytes);
        if (size == 0)
        {
            throw new ImageFormatException(
                path, $"not a NIfTI file: sizeof_hdr is {BinaryPrimitives.ReadInt32LittleEndian(bytes)} (expected 348 or 540 in either byte order)");
        }
        bool bigEndian = BinaryPrimitives.ReadInt32LittleEndian(bytes) != size;
        if (bytes.Length < size)
        {
            throw new ImageFormatException(path, $"truncated header: {bytes.Length} bytes, NIfTI-{(size == Nifti1HeaderSize ? 1 : 2)} needs {size}");
        }
        var r = new EndianReader(bytes, bigEndian);
        return size == Nifti1HeaderSize ? ParseNifti1(r, bytes, path, singleFile) : ParseNifti2(r, bytes, path, singleFile);
    }

    private static NiftiHeader ParseNifti1(EndianReader r, ReadOnlySpan<byte> bytes, string path, bool singleFile)
    {
        string magic = Encoding.Latin1.GetString(bytes.Slice(344, 4));
        bool pair = magic == "ni1\0";
        if (!pair && magic != "n+1\0")
        {
            throw new ImageFormatException(path, $"bad NIfTI-1 magic {Printable(bytes.Slice(344, 4))} (expected 'n+1' or 'ni1'); Analyze 7.5 files are not supported");
        }
        var dim = new long[8];
        for (int i = 0; i < 8; i++)
        {
            dim[i] = r.I16(40 + (2 * i));
        }
        var pixdim = new double[8];
        for (int i = 0; i < 8; i++)
        {
            pixdim[i] = r.F32(76 + (4 * i));
        }
        double voxOffset = r.F32(108);
        if (!double.IsFinite(voxOffset) || voxOffset < 0 || voxOffset > int.MaxValue)
        {
            throw new ImageFormatException(path, $"invalid vox_offset {voxOffset}");
        }
        var h = new NiftiHeader
        {
            Version = 1,
            IsPair = pair,
            IsBigEndian = r.BigEndian,
            Dim = CheckDims(dim, path),
            PixDim = RepairPixDim(pixdim),
            DataType = CheckDataType(r.I16(70), path),
            BitPix = r.I16(72),
            VoxOffset = CheckOffset((long)voxOffset, pair, singleFile, Nifti1HeaderSize, path),
            SclSlope = r.F32(112),
            SclInter = r.F32(116),
            QformCode = RepairXformCode(r.I16(252)),
            SformCode = RepairXformCode(r.I16(254)),
            QuaternB = r.F32(256),
            QuaternC = r.F32(260),
            QuaternD = r.F32(264),
            QOffsetX = r.F32(268),
            QOffsetY = r.F32(272),
            QOffsetZ = r.F32(276),
            SRowX = [r.F32(280), r.F32(284), r.F32(288), r.F32(292)],
            SRowY = [r.F32(296), r.F32(300), r.F32(304), r.F32(308)],
            SRowZ = [r.F32(312), r.F32(316), r.F32(320), r.F32(324)],
            XyztUnits = r.U8(123),
            IntentCode = r.I16(68),
            IntentName = r.Text(328, 16),
            Description = r.Text(148, 80),
            AuxFile = r.Text(228, 24),
            CalMax = r.F32(124),
            CalMin = r.F32(128),
            DimInfo = r.U8(39),
            Extensions = ParseExtensions(bytes, Nifti1HeaderSize, r.BigEndian),
        };
        CheckScaling(h, path);
        return h;
    }

    private static NiftiHeader ParseNifti2(EndianReader r, ReadOnlySpan<byte> bytes, string path, bool singleFile)
    {
        string magic = Encoding.Latin1.GetString(bytes.Slice(4, 4));
        bool pair = magic == "ni2\0";
        if (!pair && magic != "n+2\0")
        {
            throw new ImageFormatException(path, $"bad NIfTI-2 magic {Printable(bytes.Slice(4, 4))} (expected 'n+2' or 'ni2')");
        }
        var eol = bytes.Slice(8, 4);
        if (!eol.SequenceEqual(Nifti2Eol) && eol.ContainsAnyExcept((byte)0))
        {
            throw new ImageFormatException(path, "NIfTI-2 end-of-line check bytes are corrupted (was the file transferred in text mode?)");
        }
        var dim = new long[8];
        for (int i = 0; i < 8; i++)
        {
            dim[i] = r.I64(16 + (8 * i));
        }
        var pixdim = new double[8];
        for (int i = 0; i < 8; i++)
        {
            pixdim[i] = r.F64(104 + (8 * i));
        }
        var h = new NiftiHeader
        {
            Version = 2,
            IsPair = pair,
            IsBigEndian = r.BigEndian,
            Dim = CheckDims(dim, path),
            PixDim = RepairPixDim(pixdim),
            DataType = CheckDataType(r.I16(12), path),
            BitPix = r.I16(14),
            VoxOffset = CheckOffset(r.I64(168), pair, singleFile, Nifti2HeaderSize, path),
            SclSlope = r.F64(176),
            SclInter = r.F64(184),
            CalMax = r.F64(192),
            CalMin = r.F64(200),
            Description = r.Text(240, 80),
            AuxFile = r.Text(320, 24),
            QformCode = RepairXformCode(r.I32(344)),
            SformCode = RepairXformCode(r.I32(348)),
            QuaternB = r.F64(352),
            QuaternC = r.F64(360),
            QuaternD = r.F64(368),
            QOffsetX = r.F64(376),
            QOffsetY = r.F64(384),
            QOffsetZ = r.F64(392),
            SRowX = [r.F64(400), r.F64(408), r.F64(416), r.F64(424)],
            SRowY = [r.F64(432), r.F64(440), r.F64(448), r.F64(456)],
            SRowZ = [r.F64(464), r.F64(472), r.F64(480), r.F64(488)],
            XyztUnits = r.I32(500),
            IntentCode = r.I32(504),
            IntentName = r.Text(508, 16),
            DimInfo = r.U8(524),
            Extensions = ParseExtensions(bytes, Nifti2HeaderSize, r.BigEndian),
        };
        CheckScaling(h, path);
        return h;
    }

    private static long[] CheckDims(long[] dim, string path)
    {
        if (dim[0] is < 1 or > 7)
        {
            throw new ImageFormatException(path, $"dim[0] is {dim[0]}; a NIfTI image has 1 to 7 dimensions");
        }
        long voxels = 1;
        for (int i = 1; i <= dim[0]; i++)
        {
            if (dim[i] < 0)
            {
                throw new ImageFormatException(path, $"dim[{i}] is negative ({dim[i]})");
            }
            try
            {
                voxels = checked(voxels * dim[i]);
            }
            catch (OverflowException)
            {
                throw new ImageFormatException(path, $"dimensions {string.Join('x', dim[1..(int)(dim[0] + 1)])} overflow the voxel count");
            }
        }
        return dim;
    }

    private static NiftiDataType CheckDataType(short code, string path)
    {
        if (!NiftiDataTypeInfo.IsSupported(code))
        {
            string known = code switch
            {
                1 => " (binary)",
                32 => " (complex64)",
                128 => " (RGB24)",
                1536 => " (float128)",
                1792 => " (complex128)",
                2048 => " (complex256)",
                2304 => " (RGBA32)",
                _ => "",
            };
            throw new ImageFormatException(path, $"unsupported datatype {code}{known}; supported are the real numeric types uint8..uint64, float32, float64");
        }
        return (NiftiDataType)code;
    }

    private static long CheckOffset(long offset, bool pair, bool singleFile, int headerSize, string path)
    {
        if (offset < 0)
        {
            throw new ImageFormatException(path, $"negative vox_offset {offset}");
        }
        if (!singleFile)
        {
            return offset;
        }
        if (pair)
        {
            throw new ImageFormatException(path, "header says the data is in a separate .img file (magic 'ni1'/'ni2') but this is a single .nii file");
        }
        int minimum = headerSize + 4;
        if (offset == 0)
        {
            // Some writers leave vox_offset unset; the data then starts right after header and extender.
            return minimum;
        }
        if (offset < minimum)
        {
            throw new ImageFormatException(path, $"vox_offset {offset} lies inside the header (minimum {minimum} for a single file)");
        }
        return offset;
    }

    private static double[] RepairPixDim(double[] pixdim)
    {
        if (pixdim[0] is not (1 or -1))
        {
            pixdim[0] = 1;
        }
        for (int i = 1; i <= 3; i++)
        {
            if (pixdim[i] == 0)
            {
                pixdim[i] = 1;
            }
            else if (pixdim[i] < 0)
            {
                pixdim[i] = -pixdim[i];
            }
        }
        return pixdim;
    }

    private static int RepairXformCode(int code) => code is >= 0 and <= 5 ? code : 0;

    private static void CheckScaling(NiftiHeader h, string path)
    {
        if (h.Scaling is not null && !double.IsFinite(h.SclInter))
        {
            throw new ImageFormatException(path, $"scl_slope is {h.SclSlope} but scl_inter is {h.SclInter}; cannot scale the data");
        }
    }

    private static List<NiftiExtension> ParseExtensions(ReadOnlySpan<byte> bytes, int headerSize, bool bigEndian)
    {
        var list = new List<NiftiExtension>();
        if (bytes.Length < headerSize + 4 || bytes[headerSize] == 0)
        {
            return list;
        }
        var r = new EndianReader(bytes, bigEndian);
        int pos = headerSize + 4;
        // Extensions are advisory: a malformed chain ends the list instead of failing the whole file, as in nifti_clib.
        while (pos + 8 <= bytes.Length)
        {
            int esize = r.I32(pos);
            int ecode = r.I32(pos + 4);
            if (esize < 8 || esize > bytes.Length - pos)
            {
                break;
            }
            list.Add(new NiftiExtension(ecode, bytes.Slice(pos + 8, esize - 8).ToArray()));
            pos += esize;
        }
        return list;
    }

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder("'");
        foreach (byte x in b)
        {
            sb.Append(x is >= 32 and < 127 ? ((char)x).ToString() : $"\\x{x:x2}");
        }
        return sb.Append('\'').ToString();
    }
}
