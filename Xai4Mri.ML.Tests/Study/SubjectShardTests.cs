using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>Shards by subject id: the numbers Python's hashlib gives for the same rule, and independence from row order.</summary>
[TestClass]
public sealed class SubjectShardTests
{
    [TestMethod]
    // int.from_bytes(hashlib.sha256(id.encode("utf-8")).digest()[:8], "big") % n, computed with Python 3.11.
    [DataRow("sub-001", 1, 0, 413)]
    [DataRow("sub-002", 3, 0, 775)]
    [DataRow("sub-017", 1, 3, 381)]
    [DataRow("sid 9", 3, 0, 211)]
    [DataRow("participant-ä", 1, 4, 285)]
    public void ShardIsTheHashOfTheIdModuloTheCount(string id, int ofFour, int ofSeven, int ofThousand)
    {
        Assert.AreEqual(ofFour, SubjectShard.Of(id, 4));
        Assert.AreEqual(ofSeven, SubjectShard.Of(id, 7));
        Assert.AreEqual(ofThousand, SubjectShard.Of(id, 1000));
        Assert.AreEqual(0, SubjectShard.Of(id, 1));
    }

    [TestMethod]
    public void ShardsAreFilledEvenlyAndABadCountIsRefused()
    {
        var counts = new int[8];
        for (int s = 0; s < 8000; s++)
        {
            counts[SubjectShard.Of($"sub-{s:00000}", 8)]++;
        }
        // 1000 expected per shard; a binomial sd is about 30, so ±150 fails only for a broken hash.
        Assert.IsTrue(counts.All(c => c is > 850 and < 1150), string.Join(", ", counts));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SubjectShard.Of("sub-1", 0));
    }
}
