using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// A disk cache of <see cref="PreparedVolume"/>s keyed by the file's content and the preparation settings, so that
/// cross-validation folds and training epochs never decode a file twice.
/// </summary>
/// <remarks>
/// Entries are written atomically (temporary file, then rename) and end with a SHA-256 of everything before it;
/// an entry that fails the check is deleted and rebuilt. Keys hash the file's bytes (both halves of a .hdr/.img
/// pair), so an edited file is never served from a stale entry; the hash is remembered per path, size and
/// modification time within the process. One instance per directory is shared in a process (<see cref="For"/>).
/// </remarks>
public sealed class VolumeCache
{
    private const uint Magic = 0x434D3458; // "X4MC"
    private const int FormatVersion = 1;
    private static readonly ConcurrentDictionary<string, VolumeCache> Instances = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), string> ContentHashes = new();
    private long _decodes;
    private long _hits;
    private long _rebuilt;

    private VolumeCache(string directory)
    {
        Directory = directory;
    }

    /// <summary>The folder holding the entries.</summary>
    public string Directory { get; }

    /// <summary>Counters since this instance was created.</summary>
    public VolumeCacheStatistics Statistics => new(Interlocked.Read(ref _decodes), Interlocked.Read(ref _hits), Interlocked.Read(ref _rebuilt));

    /// <summary>
    /// The default location: <c>$XAI4MRI_CACHE_DIR</c> when set, else <c>$XDG_CACHE_HOME/xai4mri/volumes</c>, else
    /// <c>~/.cache/xai4mri/volumes</c> (never inside the data). Loaded models always use it.
    /// </summary>
    public static string DefaultDirectory => DefaultDirectoryFrom(Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The rule behind <see cref="DefaultDirectory"/>, given the environment and the home folder.</summary>
    internal static string DefaultDirectoryFrom(Func<string, string?> environment, string home)
    {
        string? own = environment("XAI4MRI_CACHE_DIR");
        if (!string.IsNullOrEmpty(own))
        {
            return own;
        }
        string? xdg = environment("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(root, "xai4mri", "volumes");
    }

    /// <summary>The shared cache for <paramref name="directory"/> (created on first use).</summary>
    public static VolumeCache For(string directory)
    {
        string full = Path.GetFullPath(directory);
        return Instances.GetOrAdd(full, d => new VolumeCache(d));
    }

    /// <summary>The prepared volume of <paramref name="path"/> through <paramref name="pipeline"/>'s cached steps, decoding only when no valid entry exists.</summary>
    /// <exception cref="ImageFormatException">The file cannot be read or prepared.</exception>
    internal PreparedVolume GetOrPrepare(string path, VolumePipeline pipeline)
    {
        string entry = EntryPath(path, pipeline);
        if (File.Exists(entry))
        {
            var cached = TryRead(entry, pipeline.Background);
            if (cached is not null)
            {
                Interlocked.Increment(ref _hits);
                return cached;
            }
            Interlocked.Increment(ref _rebuilt);
            TryDelete(entry);
        }
        Interlocked.Increment(ref _decodes);
        var prepared = pipeline.Prepare(path);
        Write(entry, prepared);
        return prepared;
    }

    /// <summary>The entry file of <paramref name="path"/> under <paramref name="pipeline"/> (hashes the file's content).</summary>
    /// <exception cref="ImageFormatException">The file cannot be read.</exception>
    internal string EntryPath(string path, VolumePipeline pipeline)
    {
        string key = Key(path, pipeline.CacheKey);
        return Path.Combine(Directory, key[..2], key + ".x4mc");
    }

    /// <summary>Whether the entry of <paramref name="path"/> is there and intact (its checksum and layout verified), without decoding anything.</summary>
    /// <exception cref="ImageFormatException">The file cannot be read.</exception>
    internal CacheEntryState Check(string path, VolumePipeline pipeline)
    {
        string entry = EntryPath(path, pipeline);
        return !File.Exists(entry) ? CacheEntryState.Missing : TryRead(entry, pipeline.Background) is null ? CacheEntryState.Corrupt : CacheEntryState.Present;
    }

    /// <summary>The entry name: SHA-256 over the file content hash and the pipeline's cache key.</summary>
    internal static string Key(string path, string cacheKey)
    {
        var pair = ImageFileAccess.ResolvePair(path);
        string content = pair is { } p ? ContentHash(p.Header) + ContentHash(p.Image) : ContentHash(path);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content + "|" + cacheKey)));
    }

    private static string ContentHash(string path)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ImageFormatException(path, ImageFileAccess.MissingOrUnopenable(path));
            }
        }
        catch (Exception e) when (e is IOException and not ImageFormatException or UnauthorizedAccessException)
        {
            throw new ImageFormatException(path, $"cannot read file ({e.Message})", e);
        }
        var id = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (ContentHashes.TryGetValue(id, out string? known))
        {
            return known;
        }
        using var stream = ImageFileAccess.OpenRaw(path, 1 << 16);
        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        ContentHashes[id] = hash;
        return hash;
    }

    // Head, BrainExtracted and Problem are absent from entries that earlier versions wrote (then null and false: those
    // pipelines had no brain extraction, and the head check is made again from the cached grid).
    private sealed record EntryHeader(int[] BoxShape, int[] BoxStart, int[] GridShape, double[] GridAffine,
        long[] NativeShape, double[] NativeAffine, long NonFiniteCount, HeadCheckResult? Head, bool BrainExtracted, string? Problem);

    // A head check's shell fraction is NaN when no ray could be followed.
    private static readonly JsonSerializerOptions HeaderJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private void Write(string entry, PreparedVolume v)
    {
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(new EntryHeader(v.BoxShape, v.BoxStart, v.GridShape,
            v.GridAffine.ToRowMajor(), v.NativeShape, v.NativeAffine.ToRowMajor(), v.NonFiniteCount, v.HeadCheck, v.BrainExtracted, v.Problem), HeaderJson);
        ReadOnlySpan<byte> data = MemoryMarshal.AsBytes(v.BoxData.AsSpan());
        string temp = $"{entry}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                Span<byte> prefix = stackalloc byte[12];
                BinaryPrimitives.WriteUInt32LittleEndian(prefix, Magic);
                BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], FormatVersion);
                BinaryPrimitives.WriteInt32LittleEndian(prefix[8..], header.Length);
                foreach (var part in new[] { prefix.ToArray(), header })
                {
                    fs.Write(part);
                    hash.AppendData(part);
                }
                fs.Write(data);
                hash.AppendData(data);
                fs.Write(hash.GetHashAndReset());
                // On disk before the rename makes it visible: a node that dies after the rename leaves a whole entry
                // (readers on a shared file system, e.g. a cluster's, never see a partial one either way).
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, entry, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time: the volume is still returned.
            TryDelete(temp);
        }
    }

    private static PreparedVolume? TryRead(string entry, float background)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(entry);
            if (bytes.Length < 12 + 32 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
                || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != FormatVersion)
            {
                return null;
            }
            var body = bytes.AsSpan(0, bytes.Length - 32);
            if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            {
                return null;
            }
            int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
            if (headerLength < 0 || 12L + headerLength > body.Length)
            {
                return null;
            }
            var h = JsonSerializer.Deserialize<EntryHeader>(body.Slice(12, headerLength), HeaderJson);
            if (h is null)
            {
                return null;
            }
            var data = MemoryMarshal.Cast<byte, float>(body[(12 + headerLength)..]).ToArray();
            if (data.Length != (long)h.BoxShape[0] * h.BoxShape[1] * h.BoxShape[2])
            {
                return null;
            }
            var gridAffine = new Affine(h.GridAffine);
            // An entry of an earlier version: the head check of its grid (reoriented, maybe resampled: the check works in mm).
            var head = h.Head ?? HeadCheck.Check(PreparedVolume.GridVolume(data, h.BoxShape, h.BoxStart, h.GridShape, gridAffine, background));
            string? problem = h.Problem ?? (h.Head is null && h.BoxShape.Contains(0) ? VolumePipeline.AllBackground : null);
            return new PreparedVolume(data, h.BoxShape, h.BoxStart, h.GridShape, gridAffine,
                h.NativeShape, new Affine(h.NativeAffine), h.NonFiniteCount, head, h.BrainExtracted, problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next run to overwrite.
        }
    }
}
