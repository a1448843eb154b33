using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// The reader agrees with nibabel on real files (nibabel, dipy and nifticlib test data) and on nibabel-written files
/// in every datatype, byte order, container and header variant: geometry, types, scaling, statistics, and the exact
/// bytes of the scaled float32 data and of the raw data.
/// </summary>
[TestClass]
public sealed class NibabelConformanceTests
{
    public static IEnumerable<object[]> Supported => ExpectedValues.SupportedFiles();

    public static IEnumerable<object[]> Unsupported => ExpectedValues.UnsupportedFiles();

    [TestMethod]
    [DynamicData(nameof(Supported))]
    public void HeaderAndGeometryMatchNibabel(string file)
    {
        JsonElement expected = ExpectedValues.For(file);
        var image = MriImage.Load(TestPaths.Fixture(file));

        CollectionAssert.AreEqual(expected.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(), image.Shape, "shape");
        double[] zooms = expected.GetProperty("zooms").Doubles();
        Assert.HasCount(zooms.Length, image.Zooms, "zooms");
        for (int i = 0; i < zooms.Length; i++)
        {
            ExpectedValues.AreClose(zooms[i], image.Zooms[i], 1e-6, $"zoom {i}");
        }
        double[][] affine = expected.GetProperty("affine").EnumerateArray().Select(r => r.Doubles()).ToArray();
        // Fixtures/PROVENANCE.md (nibabel behaviour 6-8, 11): sform, base and MGH affines are exact (widened or
        // float32-rounded values); a qform affine goes through a square root and quaternion products, so ~1e-9.
        bool fromQform = expected.GetProperty("format").GetString() != "mgh"
            && expected.GetProperty("sform_code").GetInt32() <= 0 && expected.GetProperty("qform_code").GetInt32() > 0;
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                if (fromQform)
                {
                    Assert.AreEqual(affine[r][c], image.Affine[r, c], 1e-9, $"qform affine[{r},{c}]");
                }
                else
                {
                    Assert.AreEqual(affine[r][c], image.Affine[r, c], $"affine[{r},{c}]: expected {affine[r][c]:R}, got {image.Affine[r, c]:R}");
                }
            }
        }
        Assert.AreEqual(expected.GetProperty("axcodes").GetString(), image.AxisCodes);
        Assert.AreEqual(expected.GetProperty("datatype").GetString(), image.DataType.NumpyName());
        Assert.AreEqual(expected.GetProperty("byteorder").GetString() == ">", image.Data.IsBigEndian, "byte order");
        Assert.AreEqual(expected.GetProperty("vox_offset").GetInt64(), image.Data.Offset, "vox_offset");

        string format = expected.GetProperty("format").GetString()!;
        if (format == "mgh")
        {
            Assert.AreEqual(ImageFormat.Mgh, image.Format);
            Assert.AreEqual(expected.GetProperty("datatype_code").GetInt32(), image.MghHeader!.TypeCode);
            return;
        }
        NiftiHeader h = image.NiftiHeader!;
        Assert.AreEqual(format switch { "nifti2" => 2, _ => 1 }, h.Version);
        Assert.AreEqual(format == "nifti1-pair", h.IsPair);
        Assert.AreEqual(expected.GetProperty("datatype_code").GetInt32(), (int)h.DataType);
        Assert.AreEqual(expected.GetProperty("sform_code").GetInt32(), h.SformCode, "sform_code");
        Assert.AreEqual(expected.GetProperty("qform_code").GetInt32(), h.QformCode, "qform_code");
        double? slope = expected.NullableDouble("slope");
        if (slope is null)
        {
            Assert.IsNull(h.Scaling, "no scaling expected");
        }
        else
        {
            Assert.AreEqual((slope.Value, expected.NullableDouble("inter")!.Value), h.Scaling);
        }
        int[] extensionCodes = expected.GetProperty("header_raw").GetProperty("extension_codes").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        CollectionAssert.AreEqual(extensionCodes, h.Extensions.Select(x => x.Code).ToArray(), "extension codes");
    }

    [TestMethod]
    [DynamicData(nameof(Supported))]
    public void ScaledFloat32DataIsBitIdenticalToNibabel(string file)
    {
        JsonElement expected = ExpectedValues.For(file);
        var image = MriImage.Load(TestPaths.Fixture(file));
        float[] data = image.GetFloatData();

        Assert.AreEqual(expected.GetProperty("sha256_f32").GetString(), Sha256(MemoryMarshal.AsBytes(data.AsSpan())), "sha256 of float32 data");
        double?[] first = expected.GetProperty("first_values").EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.Null ? (double?)null : x.GetDouble()).ToArray();
        for (int i = 0; i < first.Length; i++)
        {
            if (first[i] is null)
            {
                Assert.IsTrue(float.IsNaN(data[i]), $"value {i} should be NaN");
            }
            else
            {
                Assert.AreEqual((float)first[i]!.Value, data[i], $"value {i}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Supported))]
    public void RawTypedDataIsBitIdenticalToNibabel(string file)
    {
        JsonElement expected = ExpectedValues.For(file);
        var image = MriImage.Load(TestPaths.Fixture(file));
        Array raw = image.GetRawData();

        Assert.AreEqual(image.DataType.ClrType(), raw.GetType().GetElementType());
        Assert.AreEqual(expected.GetProperty("sha256_raw").GetString(), Sha256(RawBytes(raw)), "sha256 of raw data");
    }

    [TestMethod]
    [DynamicData(nameof(Supported))]
    public void StatisticsMatchNibabel(string file)
    {
        JsonElement expected = ExpectedValues.For(file);
        VoxelStatistics stats = MriImage.Load(TestPaths.Fixture(file)).Data.ComputeStatistics();

        Assert.AreEqual(expected.GetProperty("nan_count").GetInt64(), stats.NanCount, "nan_count");
        Assert.AreEqual(expected.GetProperty("min").GetDouble(), stats.Min, "min");
        Assert.AreEqual(expected.GetProperty("max").GetDouble(), stats.Max, "max");
        ExpectedValues.AreClose(expected.GetProperty("sum").GetDouble(), stats.Sum, 1e-5, "sum");
        ExpectedValues.AreClose(expected.GetProperty("mean").GetDouble(), stats.Mean, 1e-5, "mean");
    }

    [TestMethod]
    [DynamicData(nameof(Unsupported))]
    public void UnsupportedDatatypesAreRejectedByCode(string file)
    {
        int code = ExpectedValues.For(file).GetProperty("unsupported_datatype_code").GetInt32();
        var e = Assert.ThrowsExactly<ImageFormatException>(() => MriImage.Load(TestPaths.Fixture(file)));
        StringAssert.Contains(e.Message, Path.GetFileName(file));
        StringAssert.Contains(e.Problem, $"unsupported datatype {code}");
    }

    internal static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static ReadOnlySpan<byte> RawBytes(Array raw) => raw switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new ArgumentException(raw.GetType().Name),
    };
}
