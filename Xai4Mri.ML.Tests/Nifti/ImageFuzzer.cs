using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// Seeded mutation fuzzing of image files: real fixtures damaged by byte flips, truncation (of the file or of its gzip
/// stream) and extreme header values, read by <see cref="MriImage"/> and conformed by <c>LoadNifti</c>. The test suite
/// runs a few hundred cases; <c>Xai4Mri.Bench fuzz</c> (which compiles this file too) runs many more.
/// </summary>
internal sealed class ImageFuzzer
{
    /// <summary>The loader's voxel budget while fuzzing: a damaged header may ask for any size, the loader reads at most this.</summary>
    public const long MaxVoxels = 1 << 22;

    private static readonly int[] Nifti1Fields = [0, 40, 42, 44, 46, 48, 50, 52, 54, 70, 72, 76, 80, 84, 88, 108, 112, 116, 252, 254, 256, 260, 264, 280, 296, 312, 344, 348];
    private static readonly int[] Nifti2Fields = [0, 4, 8, 12, 14, 16, 24, 32, 40, 48, 56, 104, 112, 120, 168, 176, 184, 344, 348, 352, 360, 368, 400, 432, 464, 540];
    private static readonly int[] MghFields = [0, 4, 8, 12, 16, 20, 28, 30, 34, 38, 42, 54, 66, 78];

    private readonly List<Source> _sources;
    private readonly string _scratch;
    private readonly NiftiLoaderTransformer _loader;

    /// <param name="fixtures">The test project's Fixtures folder.</param>
    /// <param name="scratch">An empty folder for the mutated files.</param>
    public ImageFuzzer(string fixtures, string scratch)
    {
        _scratch = scratch;
        string F(string relative) => Path.Combine(fixtures, relative);
        _sources =
        [
            new("anatomical.nii (int16 big-endian)", File.ReadAllBytes(F("real/anatomical.nii")), false, ".nii", Nifti1Fields),
            new("functional.nii (4-D)", File.ReadAllBytes(F("real/functional.nii")), false, ".nii", Nifti1Fields),
            new("aniso_vox.nii.gz", Gunzip(F("real/aniso_vox.nii.gz")), true, ".nii.gz", Nifti1Fields),
            new("image-0.nii.gz (float32)", Gunzip(F("compat/image-0.nii.gz")), true, ".nii.gz", Nifti1Fields),
            new("nifti2 float32 big-endian .nii.gz", Gunzip(F("nibabel/nifti2/float32_be.nii.gz")), true, ".nii.gz", Nifti2Fields),
            new("nifti1 with extensions", File.ReadAllBytes(F("nibabel/ext/two_comments_le.nii")), false, ".nii", Nifti1Fields),
            new("scaled int16 big-endian .nii.gz", Gunzip(F("nibabel/scaling/int16_slope0.5_inter-3.25_be.nii.gz")), true, ".nii.gz", Nifti1Fields),
            new("test.mgz", Gunzip(F("real/test.mgz")), true, ".mgz", MghFields),
            new("int16.mgh", File.ReadAllBytes(F("nibabel/mgh/int16.mgh")), false, ".mgh", MghFields),
            new("float64 big-endian pair .hdr", File.ReadAllBytes(F("nibabel/dtype/float64_be.hdr")), false, ".hdr", Nifti1Fields, F("nibabel/dtype/float64_be.img")),
        ];
        var ml = new MLContext(1);
        var settings = NiftiLoaderSettings.From(new NiftiLoaderOptions
        {
            TargetShape = [16, 16, 16],
            Normalization = IntensityNormalization.PerImage,
            AllowFourD = true,
            UseCache = false,
            MaxVoxels = MaxVoxels,
            MaxDegreeOfParallelism = 1,
        });
        _loader = ml.Transforms.LoadNifti("Image", "Path", settings).Fit(ml.Data.LoadFromEnumerable(Array.Empty<PathRow>()));
    }

    /// <summary>How many fixtures the cases cycle through.</summary>
    public int SourceCount => _sources.Count;

    /// <summary>
    /// Runs case <paramref name="index"/> with its draws from <paramref name="rng"/>: writes the damaged file, reads it
    /// (header, statistics, voxels) and conforms it with the loader, then deletes it.
    /// </summary>
    public FuzzOutcome Run(int index, Random rng)
    {
        Source source = _sources[index % _sources.Count];
        int strategy = rng.Next(source.Gzip ? 5 : 4);
        string path = Path.Combine(_scratch, $"m{index}{source.Extension}");
        byte[] mutated = strategy == 4 ? MutateCompressed(source, rng) : Mutate(source, strategy, rng);
        if (source.Gzip && strategy != 4)
        {
            WriteGzip(path, mutated);
        }
        else
        {
            File.WriteAllBytes(path, mutated);
        }
        string? companion = source.CompanionImage is null ? null : Path.ChangeExtension(path, ".img");
        if (companion is not null)
        {
            File.Copy(source.CompanionImage!, companion, overwrite: true);
        }
        string label = $"#{index} {source.Name} strategy {strategy}";
        var watch = Stopwatch.StartNew();
        try
        {
            Exercise(path);
            return new FuzzOutcome(label, source.Name, null, null, watch.Elapsed);
        }
        catch (Exception e)
        {
            // Only ImageFormatException naming the file is documented; anything else is a finding.
            string? problem = e is ImageFormatException && !e.Message.Contains(Path.GetFileName(Path.ChangeExtension(path, null)), StringComparison.Ordinal)
                ? $"message does not name the file: {e.Message}"
                : null;
            return new FuzzOutcome(label, source.Name, e, problem, watch.Elapsed);
        }
        finally
        {
            File.Delete(path);
            if (companion is not null)
            {
                File.Delete(companion);
            }
        }
    }

    private void Exercise(string path)
    {
        var image = MriImage.Load(path);
        _ = image.AxisCodes;
        _ = image.Affine.ToRows();
        _ = image.Zooms;
        image.Data.ComputeStatistics();
        if (image.Data.VoxelCount <= MaxVoxels)
        {
            image.GetFloatData();
            image.GetRawData();
        }
        _loader.LoadOne(path);
    }

    private static byte[] Mutate(Source source, int strategy, Random rng)
    {
        byte[] b = (byte[])source.Content.Clone();
        switch (strategy)
        {
            case 0:
                FlipBytes(b, Math.Min(b.Length, 600), rng);
                break;
            case 1:
                FlipBytes(b, b.Length, rng);
                break;
            case 2:
                return b[..rng.Next(b.Length)];
            default:
                int offset = source.FieldOffsets[rng.Next(source.FieldOffsets.Length)];
                WriteExtreme(b, offset, rng);
                break;
        }
        return b;
    }

    private static byte[] MutateCompressed(Source source, Random rng)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(source.Content);
        }
        byte[] b = ms.ToArray();
        if (rng.Next(2) == 0)
        {
            return b[..rng.Next(b.Length)];
        }
        FlipBytes(b, b.Length, rng);
        return b;
    }

    private static void FlipBytes(byte[] b, int range, Random rng)
    {
        int count = 1 + rng.Next(8);
        for (int i = 0; i < count && range > 0; i++)
        {
            b[rng.Next(range)] ^= (byte)(1 + rng.Next(255));
        }
    }

    private static void WriteExtreme(byte[] b, int offset, Random rng)
    {
        var span = b.AsSpan(offset);
        bool big = rng.Next(2) == 0;
        switch (rng.Next(6))
        {
            case 0 when span.Length >= 2:
                short s = new short[] { short.MinValue, short.MaxValue, 0, -1, 1, 8, 7 }[rng.Next(7)];
                if (big) { BinaryPrimitives.WriteInt16BigEndian(span, s); } else { BinaryPrimitives.WriteInt16LittleEndian(span, s); }
                break;
            case 1 when span.Length >= 4:
                int i = new[] { int.MinValue, int.MaxValue, 0, -1, 348, 540, 1 }[rng.Next(7)];
                if (big) { BinaryPrimitives.WriteInt32BigEndian(span, i); } else { BinaryPrimitives.WriteInt32LittleEndian(span, i); }
                break;
            case 2 when span.Length >= 4:
                float f = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -1f, 1e30f, -1e-30f, float.MaxValue }[rng.Next(8)];
                if (big) { BinaryPrimitives.WriteSingleBigEndian(span, f); } else { BinaryPrimitives.WriteSingleLittleEndian(span, f); }
                break;
            case 3 when span.Length >= 8:
                long l = new[] { long.MinValue, long.MaxValue, 0L, -1L, 1L << 40, 1L << 31 }[rng.Next(6)];
                if (big) { BinaryPrimitives.WriteInt64BigEndian(span, l); } else { BinaryPrimitives.WriteInt64LittleEndian(span, l); }
                break;
            case 4 when span.Length >= 8:
                double d = new[] { double.NaN, double.PositiveInfinity, 0.0, -1.0, 1e300, double.Epsilon }[rng.Next(6)];
                if (big) { BinaryPrimitives.WriteDoubleBigEndian(span, d); } else { BinaryPrimitives.WriteDoubleLittleEndian(span, d); }
                break;
            default:
                if (span.Length > 0)
                {
                    span[0] = (byte)rng.Next(256);
                }
                break;
        }
    }

    private static void WriteGzip(string path, byte[] content)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(content);
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private sealed record Source(string Name, byte[] Content, bool Gzip, string Extension, int[] FieldOffsets, string? CompanionImage = null);

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }
}
