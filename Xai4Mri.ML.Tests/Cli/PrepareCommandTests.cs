namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// <c>xai4mri prepare</c> as a cluster array job runs it: four shard processes at once into one cache, one killed
/// without warning (SIGKILL, as a requeue or preemption does) and run again, <c>--verify</c> over the result, the
/// entries byte-identical to a single process's, a damaged entry caught, and a following <c>train</c> decoding no file.
/// </summary>
[TestClass]
public sealed class PrepareCommandTests
{
    [TestMethod]
    public void FourShardsWithOneKilledAndRerunGiveTheCacheOfOneProcess()
    {
        using var dir = TestPaths.Scratch();
        Assert.AreEqual(0, CliRunner.Run("synth", "--out", dir.File("cohort"), "--subjects", "16", "--seed", "4").Code);
        string table = dir.File("cohort/participants.tsv");
        string[] Prepare(string cache, string shard) => ["prepare", "--data", table, "--cache", cache, "--shard", shard, "--voxel-size", "3"];

        var single = CliRunner.Run(Prepare(dir.File("single"), "0/1"));
        Assert.AreEqual(0, single.Code, single.Err);
        StringAssert.StartsWith(single.Out, "shard 0/1: 16 subjects (16 files): 16 decoded, 0 already cached, 0 failed");

        string shared = dir.File("shared");
        var shards = Enumerable.Range(0, 4).Select(i => CliProcess.Start(Prepare(shared, $"{i}/4"))).ToList();
        try
        {
            // Shard 2 dies after its first file (or at whatever point the kill reaches it).
            shards[2].WaitForErrorLine("prepare shard 2/4");
            string killed = shards[2].Kill();
            foreach (int i in new[] { 0, 1, 3 })
            {
                var (code, output) = shards[i].WaitForExit();
                Assert.AreEqual(0, code, output);
                StringAssert.Contains(output, $"stdout: shard {i}/4: ");
            }
        }
        finally
        {
            shards.ForEach(s => s.Dispose());
        }

        // Rerun as a requeued task does: finished entries stay, the rest is decoded; nothing half-written is served.
        var rerun = CliRunner.Run(Prepare(shared, "2/4"));
        Assert.AreEqual(0, rerun.Code, rerun.Err);
        var counts = System.Text.RegularExpressions.Regex.Match(rerun.Out, @"^shard 2/4: \d+ subjects \((\d+) files\): (\d+) decoded, (\d+) already cached, 0 failed");
        Assert.IsTrue(counts.Success, rerun.Out);
        Assert.AreEqual(int.Parse(counts.Groups[1].Value), int.Parse(counts.Groups[2].Value) + int.Parse(counts.Groups[3].Value), rerun.Out);

        var verify = CliRunner.Run([.. Prepare(shared, "0/1"), "--verify"]);
        Assert.AreEqual(0, verify.Code, verify.Out + verify.Err);
        string[] lines = verify.Out.TrimEnd().Split('\n');
        Assert.AreEqual("16 of 16 subjects cached, 0 missing, 0 corrupt", lines[^1]);
        StringAssert.StartsWith(lines[^2], "loader fit merged from 4 shards: ");

        // The same entries, byte for byte, as one process wrote (temporary files of the killed process aside).
        var a = Entries(dir.File("single"));
        var b = Entries(shared);
        CollectionAssert.AreEqual(a.Keys.Order(StringComparer.Ordinal).ToList(), b.Keys.Order(StringComparer.Ordinal).ToList());
        foreach (var (name, bytes) in a)
        {
            CollectionAssert.AreEqual(bytes, b[name], name);
        }

        // A damaged entry is caught and named.
        string victim = Directory.EnumerateFiles(shared, "*.x4mc", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        byte[] original = File.ReadAllBytes(victim);
        byte[] damaged = (byte[])original.Clone();
        damaged[damaged.Length / 3] ^= 0x40;
        File.WriteAllBytes(victim, damaged);
        var caught = CliRunner.Run([.. Prepare(shared, "0/1"), "--verify"]);
        Assert.AreEqual(1, caught.Code);
        StringAssert.Contains(caught.Out, "corrupt: sub-");
        StringAssert.EndsWith(caught.Out.TrimEnd(), "15 of 16 subjects cached, 0 missing, 1 corrupt");
        File.WriteAllBytes(victim, original);

        // Training on the prepared cache reads its fit from the shards and decodes nothing.
        var train = CliRunner.Run("train", "--data", table, "--label", "age", "--out", dir.File("m.zip"), "--cache", shared, "--voxel-size", "3",
            "--epochs", "1", "--fine-tune-epochs", "0", "--validation-fraction", "0");
        Assert.AreEqual(0, train.Code, train.Err);
        StringAssert.Contains(train.Err, "LoadNifti: the loader's fit comes from the prepared cache");
        StringAssert.Contains(train.Err, "LoadNifti: 0 files decoded, ");
    }

    [TestMethod]
    public void ABadShardIsAUsageError()
    {
        var (code, _, err) = CliRunner.Run("prepare", "--data", "t.tsv", "--cache", "c", "--shard", "4/4");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--shard must be I/N with 0 <= I < N");
    }

    /// <summary>The cache's entries by relative path, without the shard summaries and temporary files.</summary>
    private static Dictionary<string, byte[]> Entries(string cache) =>
        Directory.EnumerateFiles(cache, "*.x4mc", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(cache, f), File.ReadAllBytes, StringComparer.Ordinal);
}
