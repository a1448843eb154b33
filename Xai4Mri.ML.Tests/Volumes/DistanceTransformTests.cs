using System.Text.Json;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary><see cref="DistanceTransform"/> against squared distances found by brute force in NumPy (Fixtures/distance) on anisotropic grids.</summary>
[TestClass]
public sealed class DistanceTransformTests
{
    private static IEnumerable<JsonElement> Cases()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(Path.Combine("distance", "distance_expected.json"))));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    [TestMethod]
    public void SquaredDistancesMatchTheBruteForceReference()
    {
        int checkedCases = 0;
        foreach (var c in Cases())
        {
            int[] shape = [.. c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32())];
            double[] spacing = [.. c.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble())];
            bool[] set = [.. c.GetProperty("set").EnumerateArray().Select(e => e.GetInt32() != 0)];
            double[] expected = [.. c.GetProperty("squared").EnumerateArray().Select(e => e.GetDouble())];
            foreach (int threads in new[] { 1, 2 })
            {
                double[] actual = DistanceTransform.SquaredToSet(set, shape, spacing, new ParallelOptions { MaxDegreeOfParallelism = threads });
                Assert.HasCount(expected.Length, actual);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.AreEqual(expected[i], actual[i], 1e-9 * Math.Max(1, expected[i]), $"{c.GetProperty("name").GetString()}, {threads} threads, voxel {i}");
                }
            }
            checkedCases++;
        }
        Assert.AreEqual(3, checkedCases);
    }

    [TestMethod]
    public void AnEmptySetIsFarFromEverything()
    {
        double[] d = DistanceTransform.SquaredToSet(new bool[4 * 3 * 5], [4, 3, 5], [1, 2, 3], new ParallelOptions());
        Assert.IsTrue(d.All(v => v > 1e19 && double.IsFinite(v)), string.Join(", ", d.Take(5)));
    }
}
