using System.IO.Compression;
using System.Text.Json;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>The NIfTI-1 writer: files read back equal, nibabel reads what we write, and writing is atomic.</summary>
[TestClass]
public sealed class NiftiWriterTests
{
    public static IEnumerable<object[]> WrittenNames => WrittenFixtures.Names.Select(n => new object[] { n });

    [TestMethod]
    [DataRow("f.nii")]
    [DataRow("f.nii.gz")]
    public void Float32RoundTripsExactly(string name)
    {
        using var dir = TestPaths.Scratch();
        var values = new float[9 * 8 * 7];
        var rng = new Random(11);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((rng.NextDouble() * 2000) - 1000);
        }
        values[5] = float.NaN;
        values[6] = -0.0f;
        Affine affine = WrittenFixtures.Oblique();
        NiftiWriter.Write<float>(dir.File(name), values, [9, 8, 7], affine);

        var image = MriImage.Load(dir.File(name));
        Assert.AreEqual(name.EndsWith(".gz"), image.IsCompressed);
        Assert.AreEqual(ImageFormat.Nifti1, image.Format);
        CollectionAssert.AreEqual(new long[] { 9, 8, 7 }, image.Shape);
        CollectionAssert.AreEqual(values, image.GetFloatData());
        Assert.IsTrue(float.IsNegative(image.GetFloatData()[6]), "-0.0 keeps its sign");
        Assert.IsTrue(image.Affine.ApproximatelyEquals(affine, 1e-5), image.Affine.ToString());
        Assert.IsTrue(image.NiftiHeader!.GetQform().ApproximatelyEquals(affine, 1e-5), "qform reproduces the affine:\n" + image.NiftiHeader.GetQform());
        Assert.AreEqual(-1, image.NiftiHeader.PixDim[0], "a left-handed affine is stored with qfac -1");
        double[] z = image.Zooms;
        Assert.AreEqual(1.5, z[0], 1e-6);
        Assert.AreEqual(2.0, z[1], 1e-6);
        Assert.AreEqual(2.5, z[2], 1e-6);
    }

    [TestMethod]
    public void Int16WithSlopeAndInterceptReadsBackScaled()
    {
        using var dir = TestPaths.Scratch();
        short[] raw = SmallImages.Int16Voxels();
        NiftiWriter.Write<short>(dir.File("s.nii.gz"), raw, SmallImages.Shape, SmallImages.Affine, new NiftiWriteOptions { Slope = 0.25, Intercept = 100 });

        var image = MriImage.Load(dir.File("s.nii.gz"));
        Assert.AreEqual(NiftiDataType.Int16, image.DataType);
        Assert.AreEqual((0.25, 100.0), image.NiftiHeader!.Scaling);
        CollectionAssert.AreEqual(raw, (short[])image.GetRawData());
        float[] scaled = image.GetFloatData();
        for (int i = 0; i < raw.Length; i++)
        {
            Assert.AreEqual((raw[i] * 0.25f) + 100f, scaled[i]);
        }
        Assert.AreEqual("LAS", image.AxisCodes);
    }

    [TestMethod]
    public void UInt8RoundTrips()
    {
        using var dir = TestPaths.Scratch();
        var raw = Enumerable.Range(0, 4 * 4 * 4).Select(i => (byte)(i * 5)).ToArray();
        NiftiWriter.Write<byte>(dir.File("u.nii"), raw, [4, 4, 4], Affine.Identity);
        var image = MriImage.Load(dir.File("u.nii"));
        CollectionAssert.AreEqual(raw, (byte[])image.GetRawData());
        CollectionAssert.AreEqual(raw.Select(b => (float)b).ToArray(), image.GetFloatData());
        Assert.AreEqual("RAS", image.AxisCodes);
        Assert.IsNull(image.Data.Scaling);
    }

    [TestMethod]
    public void WriteScaledQuantisesWithinHalfAStep()
    {
        using var dir = TestPaths.Scratch();
        var values = Enumerable.Range(0, 1000).Select(i => (float)(Math.Sin(i) * 3.7)).ToArray();
        NiftiWriter.WriteScaled(dir.File("q.nii"), values, [10, 10, 10], Affine.Identity, NiftiDataType.Int16);
        var image = MriImage.Load(dir.File("q.nii"));
        var (slope, _) = image.NiftiHeader!.Scaling!.Value;
        float[] back = image.GetFloatData();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.AreEqual(values[i], back[i], (slope / 2) + 1e-6);
        }

        var shared = new NiftiWriteOptions();
        NiftiWriter.WriteScaled(dir.File("shared.nii"), values, [10, 10, 10], Affine.Identity, NiftiDataType.Int16, shared);
        Assert.AreEqual(1, shared.Slope, "the caller's options are not changed");
        NiftiWriter.WriteScaled(dir.File("shared32.nii"), values, [10, 10, 10], Affine.Identity, NiftiDataType.Float32, shared);
        CollectionAssert.AreEqual(values, MriImage.Load(dir.File("shared32.nii")).GetFloatData());

        var whole = Enumerable.Range(0, 64).Select(i => (float)(i * 3)).ToArray();
        NiftiWriter.WriteScaled(dir.File("w.nii"), whole, [4, 4, 4], Affine.Identity, NiftiDataType.UInt8);
        var exact = MriImage.Load(dir.File("w.nii"));
        Assert.IsNull(exact.Data.Scaling, "whole numbers in range are stored unscaled");
        CollectionAssert.AreEqual(whole, exact.GetFloatData());
    }

    [TestMethod]
    public void RejectsWhatNifti1CannotHold()
    {
        using var dir = TestPaths.Scratch();
        var e = Assert.ThrowsExactly<ArgumentException>(() => NiftiWriter.Write<float>(dir.File("x.nii"), new float[10], [40000, 1, 1], Affine.Identity));
        StringAssert.Contains(e.Message, "40000");
        e = Assert.ThrowsExactly<ArgumentException>(() => NiftiWriter.Write<float>(dir.File("x.nii"), new float[10], [2, 2, 2], Affine.Identity));
        StringAssert.Contains(e.Message, "10 voxels given for shape 2x2x2");
        e = Assert.ThrowsExactly<ArgumentException>(() => NiftiWriter.WriteScaled(dir.File("x.nii"), [float.NaN], [1], Affine.Identity, NiftiDataType.Int16));
        StringAssert.Contains(e.Message, "NaN");
        e = Assert.ThrowsExactly<ArgumentException>(() => NiftiWriter.Write<byte>(dir.File("x.nii"), [1], [1], Affine.FromLinearAndTranslation([double.NaN, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0])));
        StringAssert.Contains(e.Message, "affine element [0,0] is NaN");
        Assert.IsEmpty(Directory.GetFiles(dir.Path), "nothing is left behind");
    }

    [TestMethod]
    public void UnwritableTargetNamesTheFileAndLeavesNoTemporary()
    {
        using var dir = TestPaths.Scratch();
        string target = Path.Combine(dir.Path, "missing-folder", "x.nii");
        var e = Assert.ThrowsExactly<ImageFormatException>(() => NiftiWriter.Write<byte>(target, new byte[1], [1], Affine.Identity));
        StringAssert.Contains(e.Message, target);
    }

    [TestMethod]
    public void OverwriteReplacesTheFileWhole()
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File("o.nii");
        NiftiWriter.Write<byte>(path, new byte[1000], [10, 10, 10], Affine.Identity);
        NiftiWriter.Write<byte>(path, [7], [1], Affine.Identity);
        Assert.AreEqual(353, new FileInfo(path).Length);
        CollectionAssert.AreEqual(new byte[] { 7 }, (byte[])MriImage.Load(path).GetRawData());
        Assert.HasCount(1, Directory.GetFiles(dir.Path));
    }

    /// <summary>
    /// Our writer's output is byte-for-byte the file committed in Fixtures/written/, which nibabel read once
    /// (check_written.py); its readings must equal ours.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(WrittenNames))]
    public void NibabelReadsWhatWeWrite(string name)
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File(name);
        WrittenFixtures.Write(name, path);
        string committed = TestPaths.Fixture("written/" + name);
        string? regenerate = Environment.GetEnvironmentVariable("XAI4MRI_REGENERATE_WRITTEN_FIXTURES");
        if (!string.IsNullOrEmpty(regenerate))
        {
            File.Copy(path, Path.Combine(regenerate, name), overwrite: true);
        }
        CollectionAssert.AreEqual(Decompressed(committed), Decompressed(path), "writer output changed; nibabel has not seen this version");

        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("written/expected.json")));
        JsonElement expected = doc.RootElement.GetProperty(name);
        var image = MriImage.Load(path);
        CollectionAssert.AreEqual(expected.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(), image.Shape);
        double[] zooms = expected.GetProperty("zooms").Doubles();
        for (int i = 0; i < zooms.Length; i++)
        {
            Assert.AreEqual(zooms[i], image.Zooms[i], 1e-6);
        }
        foreach (var (key, affine) in new[] { ("affine", image.Affine), ("qform", image.NiftiHeader!.GetQform()), ("sform", image.NiftiHeader.GetSform()) })
        {
            var rows = expected.GetProperty(key).EnumerateArray().Select(r => r.Doubles()).ToArray();
            for (int r = 0; r < 4; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    Assert.AreEqual(rows[r][c], affine[r, c], 1e-5, $"{key}[{r},{c}]");
                }
            }
        }
        Assert.AreEqual(expected.GetProperty("axcodes").GetString(), image.AxisCodes);
        Assert.AreEqual(expected.GetProperty("datatype").GetString(), image.DataType.NumpyName());
        Assert.AreEqual(expected.GetProperty("qform_code").GetInt32(), image.NiftiHeader.QformCode);
        Assert.AreEqual(expected.GetProperty("sform_code").GetInt32(), image.NiftiHeader.SformCode);
        Assert.AreEqual(expected.GetProperty("descrip").GetString(), image.NiftiHeader.Description);
        Assert.AreEqual(expected.GetProperty("sha256_f32").GetString(),
            NibabelConformanceTests.Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.GetFloatData().AsSpan())));
    }

    private static byte[] Decompressed(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
        {
            return bytes;
        }
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
