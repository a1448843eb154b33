using System.Runtime.InteropServices;
using System.Text.Json;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>Reorientation agrees with nibabel's <c>as_reoriented</c> and keeps every voxel at its world position.</summary>
[TestClass]
public sealed class ReorientationTests
{
    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reorient_expected.json")));
        foreach (var e in doc.RootElement.GetProperty("reorient").EnumerateArray())
        {
            yield return [e.GetProperty("file").GetString()!, e.GetProperty("orientation").GetString()!];
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MatchesNibabelAsReoriented(string file, string orientation)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reorient_expected.json")));
        var expected = doc.RootElement.GetProperty("reorient").EnumerateArray()
            .First(e => e.GetProperty("file").GetString() == file && e.GetProperty("orientation").GetString() == orientation);

        var volume = Reorientation.Reorient(Volume.FromImage(MriImage.Load(TestPaths.Fixture(file)), allowFourD: true), orientation);

        CollectionAssert.AreEqual(expected.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), volume.Shape);
        Assert.AreEqual(orientation, volume.AxisCodes);
        var affine = expected.GetProperty("affine").EnumerateArray().Select(r => r.Doubles()).ToArray();
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.AreEqual(affine[r][c], volume.Affine[r, c], 1e-4, $"affine[{r},{c}]");
            }
        }
        Assert.AreEqual(expected.GetProperty("sha256_c_order").GetString(), NibabelConformanceTests.Sha256(MemoryMarshal.AsBytes(volume.Data.AsSpan())));
    }

    [TestMethod]
    public void MarkerKeepsItsWorldPositionInEveryOrientation()
    {
        // A 9x10x11 RAS grid, 2 mm voxels, one bright voxel at a known index.
        var data = new float[9 * 10 * 11];
        var ras = new Volume(data, [9, 10, 11], Affine.FromLinearAndTranslation([2, 0, 0, 0, 2, 0, 0, 0, 2], [-8, -9, -10]));
        data[ras.Index(2, 7, 3)] = 100;
        var world = ras.Affine.Apply(2, 7, 3);
        foreach (string codes in new[] { "LIA", "LAS", "PSR", "SRA", "RAS", "IPL" })
        {
            var v = Reorientation.Reorient(ras, codes);
            Assert.AreEqual(codes, v.AxisCodes);
            int at = Array.IndexOf(v.Data, 100f);
            int i = at / (v.Shape[1] * v.Shape[2]), j = at / v.Shape[2] % v.Shape[1], k = at % v.Shape[2];
            var p = v.Affine.Apply(i, j, k);
            Assert.AreEqual(world.X, p.X, 1e-9, codes);
            Assert.AreEqual(world.Y, p.Y, 1e-9, codes);
            Assert.AreEqual(world.Z, p.Z, 1e-9, codes);
            Assert.AreEqual(1, v.Data.Count(x => x != 0));
        }
    }

    [TestMethod]
    public void RejectsMalformedCodes()
    {
        var v = new Volume(new float[1], [1, 1, 1], Affine.Identity);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Reorientation.Reorient(v, "LIX")).Message, "'X'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Reorientation.Reorient(v, "LRA")).Message, "same world axis");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Reorientation.Reorient(v, "LI")).Message, "three letters");
    }
}
