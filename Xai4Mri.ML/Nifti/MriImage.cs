namespace Xai4Mri.ML.Nifti;

/// <summary>
/// An image file opened for reading: header, geometry and a <see cref="VoxelData"/> proxy that reads voxels on demand.
/// Reads NIfTI-1/2 (.nii, .nii.gz, .hdr/.img pairs, gzipped or not) and FreeSurfer MGH/MGZ.
/// </summary>
/// <remarks>
/// The format is recognised from the content (gzip magic, <c>sizeof_hdr</c>, MGH version), not the file name;
/// the name only decides whether to look for the other half of a .hdr/.img pair. Nothing is written to the file.
/// </remarks>
public sealed class MriImage
{
    /// <summary>Extension bytes beyond this are not read into <see cref="NiftiHeader.Extensions"/>.</summary>
    private const int MaxExtensionBytes = 16 << 20;

    private MriImage(string path, ImageFormat format, bool compressed, long[] shape, double[] zooms, Affine affine,
        VoxelData data, NiftiHeader? nifti, MghHeader? mgh)
    {
        FilePath = path;
        Format = format;
        IsCompressed = compressed;
        Shape = shape;
        Zooms = zooms;
        Affine = affine;
        Data = data;
        NiftiHeader = nifti;
        MghHeader = mgh;
    }

    /// <summary>The path the image was opened from.</summary>
    public string FilePath { get; }

    /// <summary>The container format.</summary>
    public ImageFormat Format { get; }

    /// <summary>True when the header file is gzip-compressed.</summary>
    public bool IsCompressed { get; }

    /// <summary>Data shape as stored (trailing singleton dimensions kept, as nibabel reports them).</summary>
    public long[] Shape { get; }

    /// <summary>Voxel sizes, one per dimension.</summary>
    public double[] Zooms { get; }

    /// <summary>The voxel-to-world affine nibabel's <c>img.affine</c> gives.</summary>
    public Affine Affine { get; }

    /// <summary>Orientation codes of <see cref="Affine"/> (e.g. <c>"LAS"</c>), as nibabel's <c>aff2axcodes</c>.</summary>
    public string AxisCodes => Orientation.AxisCodes(Affine);

    /// <summary>The on-disk voxel type.</summary>
    public NiftiDataType DataType => Data.DataType;

    /// <summary>The voxels, read on demand.</summary>
    public VoxelData Data { get; }

    /// <summary>The NIfTI header, for NIfTI files; otherwise null.</summary>
    public NiftiHeader? NiftiHeader { get; }

    /// <summary>The MGH header, for MGH/MGZ files; otherwise null.</summary>
    public MghHeader? MghHeader { get; }

    /// <summary>All voxels as float32 after scaling (first axis fastest). See <see cref="VoxelData.ReadFloat32()"/>.</summary>
    public float[] GetFloatData() => Data.ReadFloat32();

    /// <summary>All voxels unscaled, as a typed array in machine byte order. See <see cref="VoxelData.ReadRaw()"/>.</summary>
    public Array GetRawData() => Data.ReadRaw();

    /// <summary>Opens an image file and reads its header; voxels are read later through <see cref="Data"/>.</summary>
    /// <param name="path">A .nii, .nii.gz, .hdr/.img (either half, optionally .gz), .mgh or .mgz file.</param>
    /// <exception cref="ImageFormatException">The file is missing, unreadable, or not a valid image; the message names it.</exception>
    public static MriImage Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var pair = ImageFileAccess.ResolvePair(path);
        string headerPath = pair?.Header ?? path;
        bool compressed = ImageFileAccess.IsGzip(headerPath);
        // Enough for either header version plus the 4-byte extension flag that follows it.
        byte[] head = ReadPrefix(headerPath, compressed, NiftiHeader.Nifti2HeaderSize + 4);
        if (head.Length == 0)
        {
            throw new ImageFormatException(headerPath, "file is empty");
        }
        if (NiftiHeader.LooksLikeNifti(head) || (NiftiHeader.HasNiftiMagic(head) && !MghHeader.LooksLikeMgh(head)))
        {
            return LoadNifti(path, headerPath, pair?.Image, compressed, head);
        }
        if (MghHeader.LooksLikeMgh(head))
        {
            return LoadMgh(path, compressed, head);
        }
        throw new ImageFormatException(
            headerPath, $"not a NIfTI-1, NIfTI-2 or MGH file (first bytes {Convert.ToHexString(head.AsSpan(0, Math.Min(8, head.Length)))})");
    }

    private static MriImage LoadNifti(string path, string headerPath, string? imagePath, bool compressed, byte[] head)
    {
        bool single = imagePath is null;
        var header = NiftiHeader.Parse(head, headerPath, single);
        int headerSize = header.Version == 1 ? NiftiHeader.Nifti1HeaderSize : NiftiHeader.Nifti2HeaderSize;
        // Extensions sit between the header and the data (single file) or after the header (.hdr of a pair).
        if (head.Length > headerSize && head[headerSize] != 0)
        {
            long extent = single ? header.VoxOffset : MaxExtensionBytes;
            int wanted = (int)Math.Min(extent, MaxExtensionBytes);
            if (wanted > head.Length)
            {
                header = NiftiHeader.Parse(ReadPrefix(headerPath, compressed, wanted), headerPath, single);
            }
        }
        string dataPath = imagePath ?? headerPath;
        bool dataCompressed = single ? compressed : ImageFileAccess.IsGzip(dataPath);
        var data = new VoxelData(dataPath, header.VoxOffset, dataCompressed, header.DataType, header.IsBigEndian, header.Shape, header.Scaling);
        data.CheckReadable(dataPath, checkArrayLength: false);
        var format = (header.Version, single) switch
        {
            (1, true) => ImageFormat.Nifti1,
            (1, false) => ImageFormat.Nifti1Pair,
            (_, true) => ImageFormat.Nifti2,
            _ => ImageFormat.Nifti2Pair,
        };
        return new MriImage(path, format, compressed, header.Shape, header.Zooms, header.GetBestAffine(), data, header, null);
    }

    private static MriImage LoadMgh(string path, bool compressed, byte[] head)
    {
        var header = MghHeader.Parse(head, path);
        if (header.Dims[3] > 1)
        {
            header = WithFooter(path, compressed, header);
        }
        var data = new VoxelData(path, MghHeader.DataOffset, compressed, header.DataType, bigEndian: true, header.Shape, null, "the MGH data offset");
        data.CheckReadable(path, checkArrayLength: false);
        return new MriImage(path, ImageFormat.Mgh, compressed, header.Shape, header.Zooms, header.GetAffine(), data, null, header);
    }

    /// <summary>Reads the repetition time from the optional footer after the data (nibabel reports it as the 4th zoom).</summary>
    private static MghHeader WithFooter(string path, bool compressed, MghHeader header)
    {
        long footer = MghHeader.DataOffset + header.DataBytes;
        if (!compressed && ImageFileAccess.Length(path) < footer + 4)
        {
            return header;
        }
        using Stream s = ImageFileAccess.OpenRead(path, compressed);
        try
        {
            ImageFileAccess.Skip(s, footer, path, "the MGH footer");
        }
        catch (ImageFormatException)
        {
            // The footer is optional; a short file is reported when the voxels are read.
            return header;
        }
        Span<byte> tr = stackalloc byte[4];
        if (ImageFileAccess.ReadUpTo(s, tr, path) < 4)
        {
            return header;
        }
        return new MghHeader
        {
            Dims = header.Dims,
            TypeCode = header.TypeCode,
            DataType = header.DataType,
            Dof = header.Dof,
            GoodRasFlag = header.GoodRasFlag,
            Delta = header.Delta,
            Mdc = header.Mdc,
            PxyzC = header.PxyzC,
            RepetitionTime = System.Buffers.Binary.BinaryPrimitives.ReadSingleBigEndian(tr),
        };
    }

    /// <summary>The first <paramref name="count"/> bytes of the (decompressed) file, fewer if it is shorter.</summary>
    private static byte[] ReadPrefix(string path, bool compressed, int count)
    {
        using Stream s = ImageFileAccess.OpenRead(path, compressed, bufferSize: 1 << 14);
        // Grow as data arrives so that a large announced extent costs nothing when the file is short.
        using var collected = new MemoryStream();
        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (collected.Length < count)
        {
            int want = (int)Math.Min(buffer.Length, count - collected.Length);
            int n = ImageFileAccess.ReadUpTo(s, buffer.AsSpan(0, want), path);
            collected.Write(buffer, 0, n);
            if (n < want)
            {
                break;
            }
        }
        return collected.ToArray();
    }
}
