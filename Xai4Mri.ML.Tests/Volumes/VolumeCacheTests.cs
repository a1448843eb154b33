using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>The prepared-volume cache: hits, atomic entries, checksum-verified reads, rebuilds, content keys.</summary>
[TestClass]
public sealed class VolumeCacheTests
{
    private static readonly VolumePipeline Lia = Oriented("LIA");

    [TestMethod]
    public void SecondRequestIsAHitWithIdenticalData()
    {
        using var dir = TestPaths.Scratch();
        string file = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0, "LAS");
        var cache = VolumeCache.For(dir.File("cache"));

        var first = cache.GetOrPrepare(file, Lia);
        var second = cache.GetOrPrepare(file, Lia);

        Assert.AreEqual(new VolumeCacheStatistics(1, 1, 0), cache.Statistics);
        CollectionAssert.AreEqual(first.BoxData, second.BoxData);
        CollectionAssert.AreEqual(first.BoxStart, second.BoxStart);
        Assert.AreEqual(first.GridAffine, second.GridAffine);
        Assert.IsEmpty(Directory.GetFiles(dir.File("cache"), "*.tmp", SearchOption.AllDirectories), "no temporary files left");
        Assert.HasCount(1, Directory.GetFiles(dir.File("cache"), "*.x4mc", SearchOption.AllDirectories));
    }

    [TestMethod]
    [DataRow("flip")]
    [DataRow("truncate")]
    [DataRow("empty")]
    public void CorruptEntryIsRebuilt(string damage)
    {
        using var dir = TestPaths.Scratch();
        string file = TinyPhantoms.Write(dir.File("a.nii"), 1.0);
        var cache = VolumeCache.For(dir.File("cache"));
        var original = cache.GetOrPrepare(file, Lia);
        string entry = Directory.GetFiles(dir.File("cache"), "*.x4mc", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(entry);
        switch (damage)
        {
            case "flip":
                bytes[bytes.Length / 2] ^= 0x10;
                File.WriteAllBytes(entry, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(entry, bytes[..(bytes.Length / 3)]);
                break;
            default:
                File.WriteAllBytes(entry, []);
                break;
        }

        var rebuilt = cache.GetOrPrepare(file, Lia);
        Assert.AreEqual(new VolumeCacheStatistics(2, 0, 1), cache.Statistics);
        CollectionAssert.AreEqual(original.BoxData, rebuilt.BoxData);
        cache.GetOrPrepare(file, Lia);
        Assert.AreEqual(1, cache.Statistics.Hits, "the rebuilt entry is valid");
    }

    [TestMethod]
    public void KeyFollowsContentAndSettings()
    {
        using var dir = TestPaths.Scratch();
        string file = TinyPhantoms.Write(dir.File("a.nii"), 1.0);
        var cache = VolumeCache.For(dir.File("cache"));
        cache.GetOrPrepare(file, Lia);
        cache.GetOrPrepare(file, Oriented("RAS"));
        Assert.AreEqual(2, cache.Statistics.Decodes, "other settings, other entry");

        TinyPhantoms.Write(file, 1.2);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        var changed = cache.GetOrPrepare(file, Lia);
        Assert.AreEqual(3, cache.Statistics.Decodes, "an edited file is decoded again");
        CollectionAssert.AreEqual(Lia.Prepare(file).BoxData, changed.BoxData);
    }

    [TestMethod]
    public void DefaultLocationIsAUserCacheFolderOrTheOverride()
    {
        Dictionary<string, string?> env = [];
        Assert.AreEqual("/home/u/.cache/xai4mri/volumes", VolumeCache.DefaultDirectoryFrom(k => env.GetValueOrDefault(k), "/home/u"));
        env["XDG_CACHE_HOME"] = "/var/cache/u";
        Assert.AreEqual("/var/cache/u/xai4mri/volumes", VolumeCache.DefaultDirectoryFrom(k => env.GetValueOrDefault(k), "/home/u"));
        env["XAI4MRI_CACHE_DIR"] = "/scratch/x4m";
        Assert.AreEqual("/scratch/x4m", VolumeCache.DefaultDirectoryFrom(k => env.GetValueOrDefault(k), "/home/u"));
        // This test run points the default at a temp folder (TestRunSetup), so loaded models never write to the home folder.
        StringAssert.StartsWith(VolumeCache.DefaultDirectory, Path.GetTempPath());
    }

    [TestMethod]
    public void CacheKeysAreTheTextEarlierVersionsWrote()
    {
        // Entries written before the steps became objects keep being found: the key text is unchanged.
        Assert.AreEqual("v1;orient=LIA;vox=native;4d=False;bg=0", Lia.CacheKey);
        var resampled = new VolumePipeline(true, 1.5f, [new ReorientStep("ras"), new ResampleStep([2.0, 2.5, 3])], new PlaceInBox([1, 1, 1], true, 0), null);
        Assert.AreEqual("v1;orient=RAS;vox=2,2.5,3;4d=True;bg=1.5", resampled.CacheKey);
    }

    private static VolumePipeline Oriented(string orientation) => new(false, 0, [new ReorientStep(orientation)], new PlaceInBox([1, 1, 1], true, 0), null);
}
