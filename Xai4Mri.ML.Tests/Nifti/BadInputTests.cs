using System.Buffers.Binary;
using System.IO.Compression;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>Every kind of damaged input is rejected with <see cref="ImageFormatException"/> naming the file and the problem.</summary>
[TestClass]
public sealed class BadInputTests
{
    private static ImageFormatException Rejects(string path, string expectedProblem)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() =>
        {
            var image = MriImage.Load(path);
            image.GetFloatData();
        });
        StringAssert.Contains(e.Message, Path.GetFileName(path));
        StringAssert.Contains(e.Problem, expectedProblem);
        return e;
    }

    private static byte[] ValidNifti(ScratchFolder dir) => File.ReadAllBytes(SmallImages.WriteInt16(dir.File("valid.nii")));

    [TestMethod]
    public void MissingFileIsNamed()
    {
        using var dir = TestPaths.Scratch();
        var e = Rejects(dir.File("nope.nii"), "file not found");
        Assert.IsInstanceOfType<FileNotFoundException>(e.InnerException);
    }

    [TestMethod]
    public void EmptyFile()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllBytes(dir.File("empty.nii"), []);
        Rejects(dir.File("empty.nii"), "empty");
    }

    [TestMethod]
    public void TruncatedHeader()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllBytes(dir.File("t.nii"), ValidNifti(dir)[..200]);
        Rejects(dir.File("t.nii"), "truncated header");
    }

    [TestMethod]
    public void TruncatedDataIsRejectedAtLoad()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllBytes(dir.File("t.nii"), ValidNifti(dir)[..500]);
        var e = Assert.ThrowsExactly<ImageFormatException>(() => MriImage.Load(dir.File("t.nii")));
        StringAssert.Contains(e.Problem, "truncated");
        StringAssert.Contains(e.Problem, "needs 672 bytes");
    }

    [TestMethod]
    public void WrongMagic()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        "abc\0"u8.CopyTo(b.AsSpan(344));
        File.WriteAllBytes(dir.File("m.nii"), b);
        Rejects(dir.File("m.nii"), "bad NIfTI-1 magic 'abc\\x00'");
    }

    [TestMethod]
    public void NotAnImageAtAll()
    {
        using var dir = TestPaths.Scratch();
        File.WriteAllText(dir.File("notes.nii"), "this is a text file, not an image");
        Rejects(dir.File("notes.nii"), "not a NIfTI-1, NIfTI-2 or MGH file");
    }

    [TestMethod]
    public void NegativeDimension()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), -7);
        File.WriteAllBytes(dir.File("neg.nii"), b);
        Rejects(dir.File("neg.nii"), "dim[2] is negative (-7)");
    }

    [TestMethod]
    [DataRow((short)0)]
    [DataRow((short)8)]
    [DataRow((short)-1)]
    public void DimZeroOutOfRange(short ndim)
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), ndim);
        File.WriteAllBytes(dir.File("d0.nii"), b);
        Rejects(dir.File("d0.nii"), $"dim[0] is {ndim}");
    }

    [TestMethod]
    public void DimensionsOverflowingTheVoxelCount()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 7);
        for (int i = 1; i <= 7; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + (2 * i)), short.MaxValue);
        }
        File.WriteAllBytes(dir.File("huge.nii"), b);
        Rejects(dir.File("huge.nii"), "overflow the voxel count");
    }

    [TestMethod]
    public void Nifti2DimensionsOverflowingTheVoxelCount()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = File.ReadAllBytes(TestPaths.Fixture("nibabel/nifti2/int16_le.nii"));
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 8), 1L << 40);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 16), 1L << 40);
        File.WriteAllBytes(dir.File("huge2.nii"), b);
        Rejects(dir.File("huge2.nii"), "overflow the voxel count");
    }

    [TestMethod]
    public void DimensionsLargerThanTheFileRejectedBeforeAllocating()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        // 32767 x 32767 x 6 int16 = 12 GB claimed by a 1 KB file: must fail on sizes, not on allocation.
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), short.MaxValue);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), short.MaxValue);
        File.WriteAllBytes(dir.File("big.nii"), b);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejects(dir.File("big.nii"), "file is truncated");
        StringAssert.Contains(e.Problem, "32767x32767x6 int16 needs 12884115468 bytes");
        Assert.IsLessThan(50_000_000, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void CompressedDimensionsLargerThanDeflateCanHold()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), short.MaxValue);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), short.MaxValue);
        WriteGzip(dir.File("big.nii.gz"), b);
        Rejects(dir.File("big.nii.gz"), "more than a");
    }

    [TestMethod]
    public void GzNameButNotGzipContentIsReadByContent()
    {
        using var dir = TestPaths.Scratch();
        // Named .nii.gz, holds a plain .nii: recognised by content and read correctly.
        File.WriteAllBytes(dir.File("plain.nii.gz"), ValidNifti(dir));
        CollectionAssert.AreEqual(SmallImages.Int16Voxels(), (short[])MriImage.Load(dir.File("plain.nii.gz")).GetRawData());
        File.WriteAllText(dir.File("text.nii.gz"), "no gzip here");
        Rejects(dir.File("text.nii.gz"), "not a NIfTI-1, NIfTI-2 or MGH file");
    }

    [TestMethod]
    public void GzipCutShort()
    {
        using var dir = TestPaths.Scratch();
        var voxels = new float[40 * 40 * 40];
        var rng = new Random(3);
        for (int i = 0; i < voxels.Length; i++)
        {
            voxels[i] = (float)rng.NextDouble();
        }
        string path = dir.File("cut.nii.gz");
        NiftiWriter.Write<float>(path, voxels, [40, 40, 40], Affine.Identity);
        byte[] gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        Rejects(path, "truncated");
    }

    [TestMethod]
    public void GzipCorruptDeflateStream()
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File("bad.nii.gz");
        WriteGzip(path, ValidNifti(dir));
        byte[] gz = File.ReadAllBytes(path);
        for (int i = 12; i < gz.Length - 8; i += 3)
        {
            gz[i] ^= 0x5A;
        }
        File.WriteAllBytes(path, gz);
        Assert.ThrowsExactly<ImageFormatException>(() => MriImage.Load(path).GetFloatData());
    }

    [TestMethod]
    public void HeaderWithoutImage()
    {
        using var dir = TestPaths.Scratch();
        File.Copy(TestPaths.Fixture("nibabel/dtype/int16_le.hdr"), dir.File("lonely.hdr"));
        var e = Rejects(dir.File("lonely.hdr"), "image file of this pair is missing");
        StringAssert.Contains(e.Problem, "lonely.img");
    }

    [TestMethod]
    public void ImageWithoutHeader()
    {
        using var dir = TestPaths.Scratch();
        File.Copy(TestPaths.Fixture("nibabel/dtype/int16_le.img"), dir.File("lonely.img"));
        Rejects(dir.File("lonely.img"), "header file of this pair is missing");
    }

    [TestMethod]
    [DataRow((short)32, "unsupported datatype 32 (complex64)")]
    [DataRow((short)128, "unsupported datatype 128 (RGB24)")]
    [DataRow((short)1536, "unsupported datatype 1536 (float128)")]
    [DataRow((short)3, "unsupported datatype 3;")]
    public void UnsupportedDatatype(short code, string message)
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), code);
        File.WriteAllBytes(dir.File("dt.nii"), b);
        Rejects(dir.File("dt.nii"), message);
    }

    [TestMethod]
    public void VoxOffsetInsideHeader()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 100);
        File.WriteAllBytes(dir.File("off.nii"), b);
        Rejects(dir.File("off.nii"), "vox_offset 100 lies inside the header");
    }

    [TestMethod]
    public void ValidSlopeWithNanIntercept()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(112), 2);
        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(116), float.NaN);
        File.WriteAllBytes(dir.File("inter.nii"), b);
        Rejects(dir.File("inter.nii"), "scl_inter is NaN");
    }

    [TestMethod]
    public void MghWithUnknownType()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = GunzipFile(TestPaths.Fixture("real/test.mgz"));
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), 2);
        File.WriteAllBytes(dir.File("t.mgh"), b);
        Rejects(dir.File("t.mgh"), "unsupported MGH datatype 2");
    }

    [TestMethod]
    public void MghTruncated()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = GunzipFile(TestPaths.Fixture("real/test.mgz"));
        File.WriteAllBytes(dir.File("t.mgh"), b[..300]);
        Rejects(dir.File("t.mgh"), "file is truncated");
        File.WriteAllBytes(dir.File("h.mgh"), b[..50]);
        Rejects(dir.File("h.mgh"), "truncated MGH header");
    }

    [TestMethod]
    public void DirectoryIsNamedAsADirectory()
    {
        using var dir = TestPaths.Scratch();
        Directory.CreateDirectory(dir.File("folder.nii"));
        Rejects(dir.File("folder.nii"), "is a directory, not an image file");
    }

    [TestMethod]
    public void VoxOffsetPastTheEndIsNamed()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 100_000);
        File.WriteAllBytes(dir.File("far.nii"), b);
        Rejects(dir.File("far.nii"), "vox_offset 100000 lies past the end of the 1024-byte file");
        WriteGzip(dir.File("far.nii.gz"), b);
        Rejects(dir.File("far.nii.gz"), "file ends before vox_offset 100000, where the voxel data should start");
    }

    [TestMethod]
    public void GzipCutAnywhereFailsFastOrReadsWhole()
    {
        using var dir = TestPaths.Scratch();
        string whole = dir.File("whole.nii.gz");
        WriteGzip(whole, ValidNifti(dir));
        byte[] gz = File.ReadAllBytes(whole);
        var slowest = TimeSpan.Zero;
        for (int cut = 0; cut < gz.Length; cut++)
        {
            string path = dir.File($"cut{cut}.nii.gz");
            File.WriteAllBytes(path, gz[..cut]);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                // A file cut in the gzip trailer (or the deflate stream's last bits) still holds every voxel: it reads whole.
                CollectionAssert.AreEqual(SmallImages.Int16Voxels(), (short[])MriImage.Load(path).GetRawData(), $"cut at {cut}");
                Assert.IsGreaterThan(gz.Length - 16, cut, $"a file cut at {cut} of {gz.Length} bytes read");
            }
            catch (ImageFormatException e)
            {
                StringAssert.Contains(e.Message, path);
            }
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, watch.Elapsed.Ticks));
        }
        Assert.IsLessThan(TimeSpan.FromSeconds(1), slowest);
    }

    [TestMethod]
    public void GarbageAfterTheGzipHeader()
    {
        using var dir = TestPaths.Scratch();
        byte[] garbage = new byte[5000];
        new Random(4).NextBytes(garbage);
        byte[] header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        File.WriteAllBytes(dir.File("garbage.nii.gz"), [.. header, .. garbage]);
        Rejects(dir.File("garbage.nii.gz"), "corrupt or truncated compressed data");
    }

    [TestMethod]
    [DataRow(349)]
    [DataRow(0)]
    [DataRow(-348)]
    public void WrongSizeofHdrIsNamed(int size)
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt32LittleEndian(b, size);
        File.WriteAllBytes(dir.File("size.nii"), b);
        Rejects(dir.File("size.nii"), $"sizeof_hdr is {size} (expected 348 or 540");
    }

    [TestMethod]
    public void PngNamedNii()
    {
        using var dir = TestPaths.Scratch();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];
        File.WriteAllBytes(dir.File("picture.nii"), png);
        Rejects(dir.File("picture.nii"), "not a NIfTI-1, NIfTI-2 or MGH file (first bytes 89504E470D0A1A0A)");
    }

    [TestMethod]
    public void NonAsciiAndSpacesInPaths()
    {
        using var dir = TestPaths.Scratch();
        string folder = dir.File("Müller 名前 ü");
        Directory.CreateDirectory(folder);
        string good = SmallImages.WriteInt16(Path.Combine(folder, "sub 01 Ø.nii.gz"));
        CollectionAssert.AreEqual(SmallImages.Int16Voxels(), (short[])MriImage.Load(good).GetRawData());
        string bad = Path.Combine(folder, "sub 02 é.nii");
        File.WriteAllBytes(bad, ValidNifti(dir)[..500]);
        var e = Assert.ThrowsExactly<ImageFormatException>(() => MriImage.Load(bad));
        Assert.AreEqual(bad, e.FilePath);
        StringAssert.StartsWith(e.Message, bad + ": file is truncated");
    }

    [TestMethod]
    public void ZeroDimensionReadsAsAnEmptyImage()
    {
        // As nibabel: a header may describe an empty array; the loader, which needs voxels, refuses it.
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 0);
        File.WriteAllBytes(dir.File("empty.nii"), b);
        var image = MriImage.Load(dir.File("empty.nii"));
        Assert.AreEqual(0L, image.Data.VoxelCount);
        Assert.IsEmpty(image.GetFloatData());
    }

    [TestMethod]
    public void HeaderClaimsBeyondTheFileFailWithinASecondAndWithoutAllocating()
    {
        using var dir = TestPaths.Scratch();
        byte[] b = ValidNifti(dir);
        // 32767³ int16, 70 TB, in a 1 KB file and in its gzip: a decompression bomb's claim.
        for (int i = 1; i <= 3; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + (2 * i)), short.MaxValue);
        }
        File.WriteAllBytes(dir.File("bomb.nii"), b);
        WriteGzip(dir.File("bomb.nii.gz"), b);
        foreach (string name in new[] { "bomb.nii", "bomb.nii.gz" })
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Rejects(dir.File(name), name.EndsWith(".gz", StringComparison.Ordinal) ? "more than a" : "file is truncated");
            Assert.IsLessThan(10_000_000, GC.GetAllocatedBytesForCurrentThread() - before, name);
            Assert.IsLessThan(TimeSpan.FromSeconds(1), watch.Elapsed, name);
        }
    }

    internal static void WriteGzip(string path, byte[] content)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(content);
    }

    internal static byte[] GunzipFile(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
