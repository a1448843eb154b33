using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Xai4Mri.ML.Study;

/// <summary>
/// Which of N shards (e.g. the tasks of a cluster array job) a subject belongs to: from the SHA-256 of its id alone,
/// so that the assignment does not change when rows are reordered, added or removed, and all of a subject's scans
/// land in one shard.
/// </summary>
public static class SubjectShard
{
    /// <summary>The shard, 0 to <paramref name="shardCount"/> − 1, of <paramref name="subjectId"/>: the first 8 bytes of SHA-256(UTF-8 id) as a big-endian number, modulo the count.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardCount"/> is not positive.</exception>
    public static int Of(string subjectId, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardCount);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(subjectId), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)shardCount);
    }
}
