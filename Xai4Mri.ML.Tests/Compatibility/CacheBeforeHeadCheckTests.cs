using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Compatibility;

/// <summary>
/// Cache entries written by the loader before it checked heads (Fixtures/compat/cache-596b52e, PROVENANCE.md) are
/// still hits: the images come back as they were written, nothing is decoded again, and the head check the entries
/// lack is made from the cached grid with the verdict a fresh decode gives.
/// </summary>
[TestClass]
public sealed class CacheBeforeHeadCheckTests
{
    private static readonly string Entries = TestPaths.Fixture(Path.Combine("compat", "cache-596b52e"));
    private static readonly string[] Files = ["ch2_t1w_head_3mm.nii.gz", "ch2bet_t1w_brain_3mm.nii.gz"];

    private sealed class Row
    {
        public string Path { get; set; } = "";
    }

    [TestMethod]
    public void EntriesWithoutAHeadCheckAreReadAndChecked()
    {
        using var dir = TestPaths.Scratch();
        string cache = dir.File("cache");
        CopyTree(Entries, cache);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Files.Select(f => new Row { Path = TestPaths.Fixture(Path.Combine("realheads", f)) }).ToArray());

        var loader = ml.Transforms.LoadNifti("Image", "Path", Options(cache)).Fit(data);
        var images = loader.Transform(data).GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToArray();

        var statistics = loader.CacheStatistics!;
        Assert.AreEqual(0, statistics.Decodes, "an entry of the earlier version was decoded again");
        Assert.AreEqual(0, statistics.Rebuilt);
        Assert.IsGreaterThanOrEqualTo(2, statistics.Hits);
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Entries, "expected.json"))).RootElement.EnumerateArray().ToArray();
        for (int i = 0; i < Files.Length; i++)
        {
            Assert.AreEqual(Files[i], expected[i].GetProperty("file").GetString());
            Assert.AreEqual(expected[i].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(images[i].AsSpan()))), Files[i]);
        }

        var fresh = ml.Transforms.LoadNifti("Image", "Path", Options(dir.File("fresh"))).Fit(data).FitReport.HeadChecks;
        var legacy = loader.FitReport.HeadChecks;
        CollectionAssert.AreEqual(new[] { HeadCheckVerdict.NotBrainExtracted, HeadCheckVerdict.BrainExtracted }, legacy.Select(h => h.Verdict).ToArray());
        CollectionAssert.AreEqual(fresh.Select(h => h.Verdict).ToArray(), legacy.Select(h => h.Verdict).ToArray());
        Assert.IsTrue(legacy.All(h => h.Problem is null && !h.StrippedByLoader));
        foreach (string entry in Directory.EnumerateFiles(Entries, "*.x4mc", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(cache, Path.GetRelativePath(Entries, entry));
            CollectionAssert.AreEqual(File.ReadAllBytes(entry), File.ReadAllBytes(copy), "an entry of the earlier version was rewritten");
        }
    }

    /// <summary>The options the entries were written with (MakeCacheFixtures.cs.txt).</summary>
    private static NiftiLoaderOptions Options(string cache) => new()
    {
        VoxelSize = [6, 6, 6],
        Normalization = IntensityNormalization.None,
        RoundToUInt8 = false,
        CacheDirectory = cache,
        MaxDegreeOfParallelism = 1,
    };

    private static void CopyTree(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
