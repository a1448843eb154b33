using System.Buffers.Binary;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// Randomised robustness: valid files damaged by byte flips, truncation and extreme header values must either read
/// successfully or fail with <see cref="ImageFormatException"/> — never another exception type.
/// </summary>
[TestClass]
public sealed class MutationFuzzTests
{
    private const int Iterations = 1500;

    private sealed record Source(string Name, byte[] Content, bool Gzip, string Extension, int[] FieldOffsets, string? CompanionImage = null);

    private static readonly int[] Nifti1Fields = [0, 40, 42, 44, 46, 48, 50, 52, 54, 70, 72, 76, 80, 84, 88, 108, 112, 116, 252, 254, 256, 260, 264, 280, 296, 312, 344, 348];
    private static readonly int[] Nifti2Fields = [0, 4, 8, 12, 14, 16, 24, 32, 40, 48, 56, 104, 112, 120, 168, 176, 184, 344, 348, 352, 360, 368, 400, 432, 464, 540];
    private static readonly int[] MghFields = [0, 4, 8, 12, 16, 20, 28, 30, 34, 38, 42, 54, 66, 78];

    [TestMethod]
    public void MutatedFilesEitherReadOrFailWithImageFormatException()
    {
        using var dir = TestPaths.Scratch();
        var sources = LoadSources(dir);
        var rng = new Random(20261125);
        var failures = new List<string>();
        int accepted = 0, rejected = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            Source source = sources[iteration % sources.Count];
            int strategy = rng.Next(source.Gzip ? 5 : 4);
            string path = dir.File($"m{iteration}{source.Extension}");
            byte[] mutated = strategy == 4 ? MutateCompressed(source, rng) : Mutate(source, strategy, rng);
            if (source.Gzip && strategy != 4)
            {
                BadInputTests.WriteGzip(path, mutated);
            }
            else
            {
                File.WriteAllBytes(path, mutated);
            }
            if (source.CompanionImage is not null)
            {
                File.Copy(source.CompanionImage, Path.ChangeExtension(path, ".img"), overwrite: true);
            }

            try
            {
                Exercise(path);
                accepted++;
            }
            catch (ImageFormatException e)
            {
                rejected++;
                if (!e.Message.Contains(Path.GetFileName(Path.ChangeExtension(path, null)), StringComparison.Ordinal))
                {
                    failures.Add($"#{iteration} {source.Name} strategy {strategy}: message does not name the file: {e.Message}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"#{iteration} {source.Name} strategy {strategy}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            File.Delete(path);
        }

        Assert.IsEmpty(failures, string.Join("\n\n", failures.Take(5)));
        // Both outcomes must occur, or the mutations are not reaching the parser.
        Assert.IsGreaterThan(100, accepted, $"accepted {accepted}");
        Assert.IsGreaterThan(100, rejected, $"rejected {rejected}");
    }

    private static void Exercise(string path)
    {
        var image = MriImage.Load(path);
        _ = image.AxisCodes;
        _ = image.Affine.ToRows();
        _ = image.Zooms;
        image.Data.ComputeStatistics();
        if (image.Data.VoxelCount <= 1 << 22)
        {
            image.GetFloatData();
            image.GetRawData();
        }
    }

    private static List<Source> LoadSources(ScratchFolder dir)
    {
        string small = SmallImages.WriteInt16(dir.File("small.nii"));
        return
        [
            new("small int16 .nii", File.ReadAllBytes(small), false, ".nii", Nifti1Fields),
            new("nifti2 float32 big-endian .nii.gz", BadInputTests.GunzipFile(TestPaths.Fixture("nibabel/nifti2/float32_be.nii.gz")), true, ".nii.gz", Nifti2Fields),
            new("nifti1 with extensions", File.ReadAllBytes(TestPaths.Fixture("nibabel/ext/two_comments_le.nii")), false, ".nii", Nifti1Fields),
            new("scaled int16 big-endian .nii.gz", BadInputTests.GunzipFile(TestPaths.Fixture("nibabel/scaling/int16_slope0.5_inter-3.25_be.nii.gz")), true, ".nii.gz", Nifti1Fields),
            new("test.mgz", BadInputTests.GunzipFile(TestPaths.Fixture("real/test.mgz")), true, ".mgz", MghFields),
            new("int16.mgh", File.ReadAllBytes(TestPaths.Fixture("nibabel/mgh/int16.mgh")), false, ".mgh", MghFields),
            new("float64 big-endian pair .hdr", File.ReadAllBytes(TestPaths.Fixture("nibabel/dtype/float64_be.hdr")), false, ".hdr", Nifti1Fields,
                TestPaths.Fixture("nibabel/dtype/float64_be.img")),
        ];
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
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
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
}
