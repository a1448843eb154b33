using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Reads the tensors of a state dict saved by <c>torch.save</c>, in the zip format (PyTorch ≥ 1.6:
/// <c>&lt;name&gt;/data.pkl</c> plus one <c>&lt;name&gt;/data/&lt;key&gt;</c> entry per storage) or the legacy
/// format (magic number, protocol version and system info pickles, the state dict pickle, the list of storage keys,
/// then each storage as an int64 element count and its bytes). Pickles go through <see cref="RestrictedUnpickler"/>.
/// </summary>
internal static class PyTorchStateDict
{
    // torch/serialization.py: MAGIC_NUMBER and PROTOCOL_VERSION of the legacy format.
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");
    private const long LegacyProtocol = 1001;

    // A state dict's pickle holds names and shapes only (a few hundred bytes per tensor); the cap keeps a crafted
    // archive from making us allocate gigabytes for it.
    private const long MaxPickleBytes = 64L << 20;

    // Deflate cannot expand data by more than about 1032:1, so a larger declared size is a lie (a zip bomb).
    private const long MaxDeflateRatio = 1032;

    /// <summary>
    /// The state dict in <paramref name="path"/> as (key, tensor) pairs in file order; a top-level dict with a
    /// <c>state_dict</c> or <c>model_state_dict</c> entry (a training checkpoint) yields that entry. The caller
    /// disposes the tensors.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is not a readable PyTorch state dict.</exception>
    public static List<(string Key, Tensor Value)> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[4];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        try
        {
            if (n == 4 && head is [(byte)'P', (byte)'K', 3, 4])
            {
                return ReadZip(path, stream);
            }
            if (n >= 2 && head[0] == 0x80 && head[1] >= 2)
            {
                return ReadLegacy(path, stream);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
        {
            throw new ModelFormatException(path, $"corrupt or truncated file ({e.Message})", e);
        }
        throw new ModelFormatException(path, "neither a PyTorch zip archive nor a legacy PyTorch pickle (torch.save writes one of the two)");
    }

    private static List<(string, Tensor)> ReadZip(string path, Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1);
        if (pickle is null)
        {
            string what = zip.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal))
                ? "a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save"
                : "a zip archive without data.pkl, not a PyTorch file";
            throw new ModelFormatException(path, what);
        }
        string prefix = pickle.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "byteorder") is { } order && ReadEntry(path, order, 16, stream.Length) is var bytes && System.Text.Encoding.ASCII.GetString(bytes) != "little")
        {
            throw new ModelFormatException(path, "tensors saved in big-endian byte order are not supported");
        }
        var storages = new Dictionary<string, RestrictedUnpickler.Storage>();
        var unpickler = new RestrictedUnpickler(path, ReadEntry(path, pickle, MaxPickleBytes, stream.Length));
        unpickler.PersistentLoad = (pid, type) =>
        {
            // ('storage', storage_type, key, location, numel)
            var (key, count) = StorageId(path, pid, 5);
            if (storages.TryGetValue(key, out var known))
            {
                return known;
            }
            var entry = zip.GetEntry($"{prefix}data/{key}") ?? throw new ModelFormatException(path, $"storage '{key}' is missing from the archive");
            long expected = checked(count * type.ElementSize);
            if (entry.Length != expected)
            {
                throw new ModelFormatException(path, $"storage '{key}' holds {entry.Length} bytes, expected {expected} ({count} × {type.Name})");
            }
            var storage = new RestrictedUnpickler.Storage(key, type, count) { Data = ReadEntry(path, entry, expected, stream.Length) };
            storages[key] = storage;
            return storage;
        };
        return Tensors(path, unpickler.Load());
    }

    private static List<(string, Tensor)> ReadLegacy(string path, Stream stream)
    {
        if (stream.Length > Array.MaxLength)
        {
            throw new ModelFormatException(path, $"a legacy-format file of {stream.Length} bytes is too large to read");
        }
        byte[] data = new byte[stream.Length];
        stream.ReadExactly(data);
        var unpickler = new RestrictedUnpickler(path, data);
        if (unpickler.Load() is not BigInteger magic || magic != LegacyMagic)
        {
            throw new ModelFormatException(path, "a pickle, but not a PyTorch file (the legacy format starts with PyTorch's magic number)");
        }
        if (unpickler.Load() is not LegacyProtocol)
        {
            throw new ModelFormatException(path, "unsupported legacy PyTorch protocol version (expected 1001)");
        }
        if (unpickler.Load() is RestrictedUnpickler.Dict info && info.TryGetValue("little_endian", out var little) && little is false)
        {
            throw new ModelFormatException(path, "tensors saved in big-endian byte order are not supported");
        }
        var storages = new Dictionary<string, RestrictedUnpickler.Storage>();
        unpickler.PersistentLoad = (pid, type) =>
        {
            // ('storage', storage_type, root_key, location, numel, view_metadata); views of storages predate PyTorch 1.0.
            var (key, count) = StorageId(path, pid, 6);
            if (pid[5] is not null)
            {
                throw new ModelFormatException(path, $"storage '{key}' is a view of another storage, which this reader does not support");
            }
            if (!storages.TryGetValue(key, out var storage))
            {
                storage = new RestrictedUnpickler.Storage(key, type, count);
                storages[key] = storage;
            }
            return storage;
        };
        var root = unpickler.Load();
        unpickler.PersistentLoad = null;
        if (unpickler.Load() is not List<object?> keys || keys.Any(k => k is not string))
        {
            throw new ModelFormatException(path, "corrupt legacy file: the storage key list is missing");
        }
        long position = unpickler.Position;
        foreach (string key in keys.Cast<string>())
        {
            var storage = storages.GetValueOrDefault(key) ?? throw new ModelFormatException(path, $"storage '{key}' is listed but no tensor uses it");
            if (data.Length - position < 8)
            {
                throw new ModelFormatException(path, $"truncated: storage '{key}' is missing");
            }
            long count = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)position, 8));
            long bytes = count >= 0 && count <= data.Length ? count * storage.Type.ElementSize : long.MaxValue;
            if (count != storage.Count || bytes > data.Length - position - 8)
            {
                throw new ModelFormatException(path, $"truncated or corrupt: storage '{key}' should hold {storage.Count} elements");
            }
            storage.Data = data.AsSpan((int)position + 8, (int)bytes).ToArray();
            position += 8 + bytes;
        }
        return Tensors(path, root);
    }

    private static (string Key, long Count) StorageId(string path, object?[] pid, int length)
    {
        if (pid.Length != length || pid[0] is not "storage" || pid[2] is not string key || pid[4] is not long count || count < 0)
        {
            throw new ModelFormatException(path, "corrupt pickle: unexpected storage reference");
        }
        return (key, count);
    }

    private static byte[] ReadEntry(string path, ZipArchiveEntry entry, long limit, long fileLength)
    {
        if (entry.Length > limit || entry.Length > Array.MaxLength || Math.Min(entry.CompressedLength, fileLength) * MaxDeflateRatio < entry.Length)
        {
            throw new ModelFormatException(path, $"archive entry '{entry.FullName}' is too large ({entry.Length} bytes)");
        }
        var bytes = new byte[entry.Length];
        using var s = entry.Open();
        s.ReadExactly(bytes);
        return bytes;
    }

    private static List<(string, Tensor)> Tensors(string path, object? root)
    {
        if (root is RestrictedUnpickler.Dict top)
        {
            foreach (string name in (string[])["state_dict", "model_state_dict"])
            {
                if (top.TryGetValue(name, out var inner) && inner is RestrictedUnpickler.Dict dict)
                {
                    top = dict;
                    break;
                }
            }
        }
        else
        {
            throw new ModelFormatException(path, $"holds {RestrictedUnpickler.Describe(root)}, not a state dict");
        }
        var tensors = new List<(string, Tensor)>();
        try
        {
            foreach (var (key, value) in top)
            {
                if (key is not string name || value is not RestrictedUnpickler.TensorView view)
                {
                    throw new ModelFormatException(path, $"entry '{key}' holds {RestrictedUnpickler.Describe(value)}; a state dict maps names to tensors");
                }
                tensors.Add((name, Materialize(path, name, view)));
            }
        }
        catch
        {
            tensors.ForEach(t => t.Item2.Dispose());
            throw;
        }
        return tensors;
    }

    /// <summary>Copies a strided view out of its storage, after checking it stays inside (as_strided would not).</summary>
    private static Tensor Materialize(string path, string name, RestrictedUnpickler.TensorView view)
    {
        var storage = view.Storage;
        if (storage.Data is null)
        {
            throw new ModelFormatException(path, $"the data of tensor '{name}' (storage '{storage.Key}') is missing");
        }
        bool valid = view.Shape.Length == view.Stride.Length && view.Offset >= 0 && view.Shape.All(d => d >= 0) && view.Stride.All(s => s >= 0);
        long last = view.Offset;
        try
        {
            if (valid && view.Shape.All(d => d > 0))
            {
                for (int i = 0; i < view.Shape.Length; i++)
                {
                    last = checked(last + ((view.Shape[i] - 1) * view.Stride[i]));
                }
                // A state dict's tensors never overlap themselves, so a view larger than its storage is a crafted
                // file (e.g. stride 0 over a huge shape) that would make the copy below allocate without bound.
                valid = last < storage.Count && view.Shape.Aggregate(1L, (a, d) => checked(a * d)) <= storage.Count;
            }
        }
        catch (OverflowException)
        {
            valid = false;
        }
        if (!valid)
        {
            throw new ModelFormatException(path, $"tensor '{name}' (shape [{string.Join(", ", view.Shape)}], stride [{string.Join(", ", view.Stride)}], offset {view.Offset}) does not fit its storage of {storage.Count} elements");
        }
        using var flat = empty([storage.Count], storage.Type.DType);
        flat.bytes = storage.Data;
        using var strided = flat.as_strided(view.Shape, view.Stride, view.Offset);
        return strided.clone();
    }
}
