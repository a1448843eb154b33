using System.Text.Json;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>Trilinear resampling, xai4mri pruning and its reverse, and intensity clipping.</summary>
[TestClass]
public sealed class ResamplingAndPruningTests
{
    [TestMethod]
    public void TrilinearResamplingReproducesALinearFieldInside()
    {
        // value = world x + 2·world y − world z on a 2 mm grid; trilinear interpolation is exact for linear fields.
        var affine = Affine.FromLinearAndTranslation([2, 0, 0, 0, 2, 0, 0, 0, 2], [10, 20, 30]);
        int[] shape = [10, 12, 8];
        var data = new float[10 * 12 * 8];
        var v = new Volume(data, shape, affine);
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 12; j++)
            {
                for (int k = 0; k < 8; k++)
                {
                    var w = affine.Apply(i, j, k);
                    data[v.Index(i, j, k)] = (float)(w.X + (2 * w.Y) - w.Z);
                }
            }
        }
        var r = Resampling.ToVoxelSize(v, [1.0]);
        CollectionAssert.AreEqual(new[] { 20, 24, 16 }, r.Shape);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, r.VoxelSize);
        var centreOld = affine.Apply(4.5, 5.5, 3.5);
        var centreNew = r.Affine.Apply(9.5, 11.5, 7.5);
        Assert.AreEqual(centreOld.X, centreNew.X, 1e-9, "centres stay aligned");
        for (int i = 1; i < 19; i++)
        {
            for (int j = 1; j < 23; j++)
            {
                for (int k = 1; k < 15; k++)
                {
                    var w = r.Affine.Apply(i, j, k);
                    Assert.AreEqual(w.X + (2 * w.Y) - w.Z, r[i, j, k], 1e-3, $"({i},{j},{k})");
                }
            }
        }
    }

    [TestMethod]
    public void PruneCentresTheBrainAsXai4MriDoes()
    {
        // Brain box 4x5x6 starting at (3, 2, 1) in a 12x10x9 grid.
        var v = new Volume(new float[12 * 10 * 9], [12, 10, 9], Affine.Identity);
        for (int i = 3; i < 7; i++)
        {
            for (int j = 2; j < 7; j++)
            {
                for (int k = 1; k < 7; k++)
                {
                    v.Data[v.Index(i, j, k)] = 1 + i + (10 * j) + (100 * k);
                }
            }
        }
        // Larger box: offsets (8-4)//2=2, (8-5)//2=1, (9-6)//2=1.
        var (big, rec) = BrainBox.Prune(v, [8, 8, 9]);
        Assert.IsFalse(rec.BrainCut);
        CollectionAssert.AreEqual(new[] { 2, 1, 1 }, rec.TargetStart);
        Assert.AreEqual(v[3, 2, 1], big[2, 1, 1]);
        Assert.AreEqual(v[6, 6, 6], big[5, 5, 6]);
        Assert.AreEqual(120, big.Data.Count(x => x != 0));
        // The pruned grid's affine still maps each voxel to its world position.
        var w = big.Affine.Apply(2, 1, 1);
        Assert.AreEqual((3.0, 2.0, 1.0), (w.X, w.Y, w.Z));

        // Smaller box cuts symmetrically: (2-4)//2 = -1 → 1 from each end; (3-5)//2 = -1; (3-6)//2 = -2 (floor).
        var (small, cut) = BrainBox.Prune(v, [2, 3, 3]);
        Assert.IsTrue(cut.BrainCut);
        CollectionAssert.AreEqual(new[] { 4, 3, 3 }, cut.SourceStart);
        Assert.AreEqual(v[4, 3, 3], small[0, 0, 0]);
        CollectionAssert.AreEqual(new[] { 2, 3, 2 }, cut.CopiedLength);

        // Unprune places the map back where it came from.
        float[] back = BrainBox.Unprune(big.Data, rec);
        CollectionAssert.AreEqual(v.Data, back);
        float[] partial = BrainBox.Unprune(small.Data, cut);
        Assert.AreEqual(v[4, 3, 3], partial[v.Index(4, 3, 3)]);
        Assert.AreEqual(0, partial[v.Index(3, 2, 1)]);
    }

    [TestMethod]
    public void Xai4MriDefaultBox()
    {
        CollectionAssert.AreEqual(new[] { 156, 166, 204 }, BrainBox.Xai4MriDefaultShape([1.0]));
        CollectionAssert.AreEqual(new[] { 78, 83, 102 }, BrainBox.Xai4MriDefaultShape([2.0]));
        CollectionAssert.AreEqual(new[] { 39, 41, 51 }, BrainBox.Xai4MriDefaultShape([4.0]));
    }

    public static IEnumerable<object[]> PercentileCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reorient_expected.json")));
        int n = 0;
        foreach (var _ in doc.RootElement.GetProperty("percentiles").EnumerateArray())
        {
            yield return [n++];
        }
    }

    [TestMethod]
    [DynamicData(nameof(PercentileCases))]
    public void PercentileMatchesNumpy(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reorient_expected.json")));
        var e = doc.RootElement.GetProperty("percentiles")[index];
        float[] values = e.GetProperty("values").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        double expected = e.GetProperty("percentile").GetDouble();
        Assert.AreEqual(expected, IntensityScaling.Percentile(values, e.GetProperty("q").GetDouble()), Math.Abs(expected) * 1e-6);
    }

    [TestMethod]
    public void ClipRangeIgnoresBackgroundAndNaNAndScalesTo255()
    {
        var data = new float[] { 0, 0, float.NaN, 10, 20, 30, 40, 50 };
        var range = IntensityScaling.ClipRange(data, 75);
        // Non-background values 10..50: 75th percentile 40, 25th 20 → lower bound min(0, 20) = 0.
        Assert.AreEqual((0f, 40f), range);
        IntensityScaling.ClipAndScale(data.AsSpan(3), 0, 40, roundToUInt8: true);
        CollectionAssert.AreEqual(new float[] { 64, 128, 191, 255, 255 }, data[3..]);
        Assert.IsNull(IntensityScaling.ClipRange(new float[4], 99));
    }
}
