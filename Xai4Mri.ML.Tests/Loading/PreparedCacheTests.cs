using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>A study prepared shard by shard: the merged fit equals one Fit over all images, and verify finds every subject's entries.</summary>
[TestClass]
public sealed class PreparedCacheTests
{
    private sealed class Row
    {
        public string participant_id { get; set; } = "";

        public string Path { get; set; } = "";
    }

    private static (MLContext Ml, IDataView Study, List<Row> Rows) Study(ScratchFolder dir, int n)
    {
        var rows = Enumerable.Range(0, n).Select(s => new Row
        {
            participant_id = $"sub-{s:00}",
            Path = TinyPhantoms.Write(dir.File($"sub-{s:00}.nii.gz"), 0.6 + (0.03 * s), s % 2 == 0 ? "RAS" : "LAS", seed: s),
        }).ToList();
        var ml = new MLContext(seed: 1);
        return (ml, ml.Data.LoadFromEnumerable(rows), rows);
    }

    [TestMethod]
    public void FitMergedFromShardsEqualsOneFitOverAllImages()
    {
        using var dir = TestPaths.Scratch();
        var (ml, study, rows) = Study(dir, 14);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("shared") };
        Assert.IsNull(PreparedCache.FittedSettings(study, options), "nothing is prepared yet");
        var shards = Enumerable.Range(0, 3).Select(i => PreparedCache.PrepareShard(ml, study, options, i, 3)).ToList();
        Assert.AreEqual(14, shards.Sum(s => s.Files));
        Assert.AreEqual(14, shards.Sum(s => s.Decoded));
        CollectionAssert.AreEqual(rows.Select(r => SubjectShard.Of(r.participant_id, 3)).GroupBy(x => x).OrderBy(g => g.Key).Select(g => g.Count()).ToList(), shards.Select(s => s.Subjects).ToList());

        var merged = PreparedCache.FittedSettings(study, options);
        var fitted = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("own") }).Fit(study).Settings;
        Assert.IsNotNull(merged);
        Assert.AreNotEqual(fitted.ClipMin, fitted.ClipMax);
        Assert.AreEqual(fitted.ClipMin, merged.ClipMin, "bit for bit: the same images averaged in the same order");
        Assert.AreEqual(fitted.ClipMax, merged.ClipMax);
        CollectionAssert.AreEqual(fitted.TargetShape, merged.TargetShape);
        Assert.AreEqual(fitted.ToJson(), merged.ToJson());

        // A rerun of a shard decodes nothing; a shard count whose shards are not all there merges nothing.
        var again = PreparedCache.PrepareShard(ml, study, options, 1, 3);
        Assert.AreEqual(0, again.Decoded);
        Assert.AreEqual(again.Files, again.FromCache);
    }

    [TestMethod]
    public void VerifyNamesMissingAndDamagedSubjectsAndAStudyThatChangedIsNotMerged()
    {
        using var dir = TestPaths.Scratch();
        var (ml, study, rows) = Study(dir, 8);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("shared") };
        PreparedCache.PrepareShard(ml, study, options, 0, 2);
        var half = PreparedCache.Verify(ml, study, options);
        var inShard1 = rows.Where(r => SubjectShard.Of(r.participant_id, 2) == 1).Select(r => r.participant_id).ToList();
        CollectionAssert.AreEqual(inShard1, half.Missing.ToList());
        Assert.AreEqual(8 - inShard1.Count, half.Cached);
        Assert.IsFalse(half.IsComplete);
        Assert.IsNull(half.FittedSettingsPath, "a shard is missing: nothing to merge");

        PreparedCache.PrepareShard(ml, study, options, 1, 2);
        var whole = PreparedCache.Verify(ml, study, options);
        Assert.IsTrue(whole.IsComplete);
        Assert.AreEqual(2, whole.ShardsMerged);
        Assert.AreEqual(PreparedCache.FittedSettings(study, options)!.ToJson(), File.ReadAllText(whole.FittedSettingsPath!));

        string entry = Directory.EnumerateFiles(dir.File("shared"), "*.x4mc", SearchOption.AllDirectories).First();
        byte[] bytes = File.ReadAllBytes(entry);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(entry, bytes);
        var damaged = PreparedCache.Verify(ml, study, options);
        Assert.HasCount(1, damaged.Corrupt);
        Assert.AreEqual(7, damaged.Cached);

        // Another study (a subject more) has another key: the shards of the first are not its fit.
        var (_, bigger, _) = Study(dir, 9);
        Assert.IsNull(PreparedCache.FittedSettings(bigger, options));
    }

    [TestMethod]
    public void BadShardsAndAStudyWithoutSubjectsAreRefused()
    {
        using var dir = TestPaths.Scratch();
        var (ml, study, _) = Study(dir, 2);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("c") };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => PreparedCache.PrepareShard(ml, study, options, 3, 3)).Message, "shard 3 of 3");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => PreparedCache.PrepareShard(ml, study, new NiftiLoaderOptions { UseCache = false }, 0, 1)).Message, "needs NiftiLoaderOptions.UseCache");
        var noSubjects = ml.Data.LoadFromEnumerable([new { Path = "a.nii" }]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PreparedCache.PrepareShard(ml, noSubjects, options, 0, 1)).Message, "needs a subject column");
    }
}
