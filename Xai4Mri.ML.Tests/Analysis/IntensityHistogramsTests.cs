using System.Text.Json;
using Xai4Mri.ML.Analysis;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>Intensity histograms per group: hand-computed bins and densities, one streaming pass, bounded samples that stay close to exact.</summary>
[TestClass]
public sealed class IntensityHistogramsTests
{
    [TestMethod]
    public void HandComputedTwoSites()
    {
        // Pooled non-zero finite voxels, sorted: −5, 1, 1.5×49, 2, 2.5×24, 2.5×33, 3.5×66, 4.5×24, 5, 1000: 201 values.
        // NumPy's 0.5th percentile is the value at rank 0.005·200 = 1, the 99.5th the value at rank 199: bins from 1 to 5,
        // four of width 1. −5 and 1000 lie outside and are left out; 2 opens bin 1, 5 closes the last bin.
        // Site A counts 100 voxels: 50 | 25 | 0 | 25; site B 99: 0 | 33 | 66 | 0. Site C has only background.
        float[] a1 = [0, 0, float.NaN, -5, 1, .. Repeat(1.5f, 49), 2, .. Repeat(2.5f, 10)];
        float[] b = [0, float.PositiveInfinity, .. Repeat(2.5f, 33), .. Repeat(3.5f, 66), 1000, float.NegativeInfinity];
        float[] a2 = [.. Repeat(2.5f, 14), .. Repeat(4.5f, 24), 5, 0];
        var result = IntensityHistograms.Compute([("A", a1), ("B", b), ("A", a2), ("C", new float[10])], bins: 4);

        CollectionAssert.AreEqual(new[] { "A", "B", "C" }, result.Select(h => h.Group).ToArray(), "groups in order of first appearance");
        foreach (var h in result)
        {
            CollectionAssert.AreEqual(new[] { 1.5, 2.5, 3.5, 4.5 }, h.BinCentres, h.Group);
        }
        CollectionAssert.AreEqual(new[] { 0.5, 0.25, 0, 0.25 }, result[0].Density);
        AssertClose([0, 1.0 / 3, 2.0 / 3, 0], result[1].Density, 1e-15);
        CollectionAssert.AreEqual(new double[4], result[2].Density, "a group without counted voxels has zero density");
    }

    [TestMethod]
    public void DensitiesIntegrateToOneOnSharedBins()
    {
        var rng = new Random(3);
        var images = Enumerable.Range(0, 9).Select(i => ($"site{i % 3}", Noise(rng, 2000, mean: 100 + (30 * (i % 3)), sd: 15 + (5 * (i % 3))))).ToList();
        var result = IntensityHistograms.Compute(images, bins: 50);
        Assert.HasCount(3, result);
        double width = result[0].BinCentres[1] - result[0].BinCentres[0];
        foreach (var h in result)
        {
            Assert.HasCount(50, h.BinCentres);
            Assert.AreEqual(1, h.Density.Sum() * width, 1e-12, h.Group);
            Assert.IsTrue(h.Density.All(d => d >= 0));
        }
        // The sites' peaks lie where their means are.
        for (int s = 0; s < 3; s++)
        {
            var h = result[s];
            double peak = h.BinCentres[Array.IndexOf(h.Density, h.Density.Max())];
            Assert.AreEqual(100 + (30 * s), peak, 12, h.Group);
        }
    }

    [TestMethod]
    public void EnumeratesTheImagesOnceWithoutKeepingThem()
    {
        var source = new OnceOnly(Enumerable.Range(0, 5).Select(i => ("site", Noise(new Random(i), 1000, 50, 10))));
        var result = IntensityHistograms.Compute(source, bins: 8);
        Assert.AreEqual(1, source.Enumerations);
        Assert.HasCount(1, result);
    }

    [TestMethod]
    public void ASampleAsLargeAsTheDataIsExact()
    {
        var rng = new Random(11);
        var images = Enumerable.Range(0, 4).Select(i => ($"s{i % 2}", Noise(rng, 500, 10 + (i % 2), 2))).ToList();
        var exact = IntensityHistograms.Compute(images, bins: 16);
        // Each group has 1,000 voxels and the pool 2,000; a capacity of 2,000 keeps every one of them.
        var sampled = IntensityHistograms.Compute(images, 16, sampleCapacity: 2000);
        for (int g = 0; g < exact.Count; g++)
        {
            CollectionAssert.AreEqual(exact[g].BinCentres, sampled[g].BinCentres);
            CollectionAssert.AreEqual(exact[g].Density, sampled[g].Density);
        }
    }

    [TestMethod]
    public void ABoundedSampleStaysCloseToTheExactHistogramAndIsDeterministic()
    {
        // 3 sites × 4 images × 50,000 voxels, sampled down to 4,096 per site.
        var rng = new Random(5);
        var images = Enumerable.Range(0, 12).Select(i => ($"site{i % 3}", Noise(rng, 50_000, 300 + (80 * (i % 3)), 40 + (10 * (i % 3))))).ToList();
        var exact = IntensityHistograms.Compute(images, bins: 20);
        var sampled = IntensityHistograms.Compute(images, 20, sampleCapacity: 4096);
        var again = IntensityHistograms.Compute(images, 20, sampleCapacity: 4096);
        // The edges are tail percentiles, estimated from 4,096 of 480,000 voxels: within a bin of the exact ones.
        double width = sampled[0].BinCentres[1] - sampled[0].BinCentres[0];
        AssertClose(exact[0].BinCentres, sampled[0].BinCentres, width);
        for (int g = 0; g < 3; g++)
        {
            // On the sampled bins, each bin's share of the site's voxels (exact: every voxel binned here) has a standard
            // error below 0.008 with a 4,096 sample.
            double[] share = ExactShares(images.Where(i => i.Item1 == $"site{g}").SelectMany(i => i.Item2), sampled[g].BinCentres, width);
            AssertClose(share, [.. sampled[g].Density.Select(d => d * width)], 0.025);
            CollectionAssert.AreEqual(sampled[g].Density, again[g].Density, "seeded: the same sample every run");
        }
    }

    /// <summary>Each bin's share of the in-range values, by plain binning of all of them.</summary>
    private static double[] ExactShares(IEnumerable<float> voxels, double[] centres, double width)
    {
        double low = centres[0] - (width / 2), high = centres[^1] + (width / 2);
        var counts = new double[centres.Length];
        foreach (float v in voxels.Where(v => v != 0 && v >= low && v <= high))
        {
            counts[Math.Min((int)((v - low) / width), centres.Length - 1)]++;
        }
        double total = counts.Sum();
        return [.. counts.Select(c => c / total)];
    }

    [TestMethod]
    public void TheSampleIsUniformOverTheStream()
    {
        // Values 1..100,000 in order: a uniform sample of 2,000 has mean ≈ 50,000 and a flat histogram, whatever the order.
        float[] ramp = [.. Enumerable.Range(1, 100_000).Select(i => (float)i)];
        var h = IntensityHistograms.Compute([("ramp", ramp)], 10, sampleCapacity: 2000)[0];
        double width = h.BinCentres[1] - h.BinCentres[0];
        foreach (double d in h.Density)
        {
            Assert.AreEqual(0.1, d * width, 0.025, string.Join(", ", h.Density.Select(x => x * width)));
        }
    }

    [TestMethod]
    public void OneIntensityGivesOnePeakAroundIt()
    {
        var h = IntensityHistograms.Compute([("mask", [0, 1, 1, 1, 0])], bins: 5)[0];
        // ±5 % around 1: bins of 0.02 from 0.95 to 1.05; the value sits in the middle bin.
        AssertClose([0.96, 0.98, 1.0, 1.02, 1.04], h.BinCentres, 1e-12);
        AssertClose([0, 0, 50, 0, 0], h.Density, 1e-9);
    }

    [TestMethod]
    public void HistogramsSerialiseToJson()
    {
        var h = IntensityHistograms.Compute([("A", [1, 2, 3])], bins: 2)[0];
        var back = JsonSerializer.Deserialize<IntensityHistogram>(JsonSerializer.Serialize(h))!;
        Assert.AreEqual("A", back.Group);
        CollectionAssert.AreEqual(h.BinCentres, back.BinCentres);
        CollectionAssert.AreEqual(h.Density, back.Density);
    }

    [TestMethod]
    public void RejectsNoVoxelsBadBinsAndMissingNames()
    {
        Expect("there are no images to histogram", () => IntensityHistograms.Compute([]));
        Expect("none of the 2 images has a finite non-zero voxel", () => IntensityHistograms.Compute([("A", [0, float.NaN]), ("B", [])]));
        Expect("image 1 has no group name", () => IntensityHistograms.Compute([("A", [1]), (null!, [1])]));
        Expect("image 0 (group 'A') has no voxel array", () => IntensityHistograms.Compute([("A", null!)]));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => IntensityHistograms.Compute([("A", [1])], bins: 0));
        Assert.AreEqual("bins", e.ParamName);
    }

    private static void Expect(string messagePart, Action call)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(call);
        Assert.AreEqual("images", e.ParamName, e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    private static float[] Repeat(float value, int count) => Enumerable.Repeat(value, count).ToArray();

    // Box–Muller on a seeded Random; about 20 % background zeros, like the outside of a brain.
    private static float[] Noise(Random rng, int count, double mean, double sd) => [.. Enumerable.Range(0, count).Select(_ =>
        rng.NextDouble() < 0.2 ? 0f : (float)(mean + (sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))))];

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"[{i}]: expected {string.Join(", ", expected)}; got {string.Join(", ", actual)}");
        }
    }

    /// <summary>A sequence that fails when enumerated a second time, standing in for images loaded from disk.</summary>
    private sealed class OnceOnly(IEnumerable<(string, float[])> items) : IEnumerable<(string, float[])>
    {
        public int Enumerations { get; private set; }

        public IEnumerator<(string, float[])> GetEnumerator()
        {
            if (++Enumerations > 1)
            {
                throw new InvalidOperationException("enumerated twice");
            }
            return items.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
