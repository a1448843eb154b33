using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Model files: our own format (<c>.x4m</c>: a zip of <c>model.json</c> and <c>weights.bin</c>), and reading any
/// supported file by its content — ours, Keras .h5, ONNX, an ML.NET model .zip with a network, a PyTorch state dict.
/// <see cref="MriNetModel.Load"/>, <see cref="MriNetModel.Save"/> and <see cref="MriNetModel.FromModelZip"/> call it.
/// </summary>
internal static class ModelFile
{
    private const string FormatName = "xai4mri-model";
    private static readonly DateTimeOffset FixedEntryTime = new(2000, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private const int FormatVersion = 1;
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    private sealed record TensorEntry(string Name, string DType, long[] Shape, long Offset, long Length);

    private sealed record Manifest(string Format, int Version, NetworkSpec Spec, ModelTask Task, InputConventions Conventions, string Provenance, IReadOnlyList<TensorEntry> Tensors, string WeightsSha256, double? LearningRate = null, FeatureStatistics? SourceStatistics = null);

    /// <summary>
    /// Writes the model as one file: a zip with <c>model.json</c> (architecture, task, conventions, provenance, tensor
    /// index, SHA-256 of the weights) and <c>weights.bin</c> (raw little-endian tensors). Written atomically.
    /// </summary>
    public static void Save(MriNetModel model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = new List<TensorEntry>();
        using var weights = new MemoryStream();
        foreach (var (name, tensor) in model.Network.state_dict())
        {
            using var cpu = tensor.detach().cpu().contiguous();
            byte[] bytes = cpu.bytes.ToArray();
            entries.Add(new TensorEntry(name, cpu.dtype.ToString(), cpu.shape, weights.Position, bytes.Length));
            weights.Write(bytes);
        }
        byte[] weightBytes = weights.ToArray();
        var manifest = new Manifest(FormatName, FormatVersion, model.Spec, model.Task, model.Conventions, model.Provenance, entries, Convert.ToHexStringLower(SHA256.HashData(weightBytes)), model.LearningRate, model.SourceStatistics);
        string full = Path.GetFullPath(path);
        string temp = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var zip = new ZipArchive(File.Create(temp), ZipArchiveMode.Create))
            {
                // Entries carry a fixed time stamp, so that the same model always gives the same file (a pretrained
                // model shipped in a repository can then be checked by its hash).
                var manifestEntry = zip.CreateEntry("model.json", CompressionLevel.Optimal);
                manifestEntry.LastWriteTime = FixedEntryTime;
                using (var s = manifestEntry.Open())
                {
                    JsonSerializer.Serialize(s, manifest, new JsonSerializerOptions { WriteIndented = true });
                }
                var weightsEntry = zip.CreateEntry("weights.bin", CompressionLevel.Fastest);
                weightsEntry.LastWriteTime = FixedEntryTime;
                using (var s = weightsEntry.Open())
                {
                    s.Write(weightBytes);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Reads any supported model file, recognised by its content: our own format (<see cref="Save"/>), a Keras .h5
    /// as xai4mri publishes them, an ONNX graph we exported, an ML.NET model .zip with a fitted network (as
    /// <see cref="FromModelZip"/>), or a PyTorch state dict (which holds weights only, so
    /// <paramref name="pytorchArchitecture"/> must describe the network, e.g. <see cref="Architectures.Sfcn"/>).
    /// Imported models get the task their head implies (softmax/log-softmax: classes; otherwise regression) and
    /// xai4mri's input conventions (LIA, brain-extracted, 0–255).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, of an unknown kind, corrupt, or does not fit.</exception>
    public static MriNetModel Load(string path, NetworkSpec? pytorchArchitecture = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] head = new byte[8];
        try
        {
            using var stream = File.OpenRead(path);
            _ = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the file ({e.Message})", e);
        }
        bool zip = head[0] == 'P' && head[1] == 'K';
        if (zip && IsOwnFormat(path))
        {
            return LoadOwn(path);
        }
        if (zip && HoldsOnnxGraphs(path))
        {
            return FromModelZip(path);
        }
        if (head.AsSpan().SequenceEqual(Hdf5Signature))
        {
            var keras = KerasImporter.Load(path);
            return Imported(keras.Network, $"Keras .h5 model '{keras.Name}' ({path})");
        }
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return Imported(OnnxImporter.Load(path), $"ONNX graph ({path})");
        }
        if (zip || head[0] == 0x80 || path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase))
        {
            if (pytorchArchitecture is null)
            {
                throw new ModelFormatException(path, "a PyTorch state dict holds weights only; pass the architecture (e.g. Architectures.Sfcn([160, 192, 160]) for Peng et al.'s SFCN)");
            }
            return Imported(PyTorchImporter.Load(path, pytorchArchitecture), $"PyTorch state dict ({path})");
        }
        throw new ModelFormatException(path, "not a model file Xai4Mri.ML knows (ours, Keras .h5, PyTorch .pt/.pth, ONNX .onnx)");
    }

    /// <summary>An ML.NET model .zip with embedded ONNX graphs (PyTorch's zip checkpoints hold pickles instead).</summary>
    private static bool HoldsOnnxGraphs(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        return archive.Entries.Any(e => e.Name == "OnnxModel");
    }

    private static bool IsOwnFormat(string path)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            return archive.GetEntry("model.json") is not null;
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"corrupt or truncated zip archive ({e.Message})", e);
        }
    }

    private static MriNetModel Imported(NetworkModule network, string provenance)
    {
        var last = network.Spec.Layers.LastOrDefault();
        int outputs = network.Spec.OutputShape[0];
        var task = last?.Kind is LayerKind.Softmax or LayerKind.LogSoftmax && outputs >= 2
            ? ModelTask.Classification(Enumerable.Range(0, outputs).Select(i => i.ToString(CultureInfo.InvariantCulture)))
            : ModelTask.Regression();
        return new MriNetModel(network, task, new InputConventions(), provenance);
    }

    /// <summary>Reads a model written by <see cref="Save"/>; the weights are verified against their SHA-256.</summary>
    private static MriNetModel LoadOwn(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Manifest manifest;
        byte[] weights;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var json = zip.GetEntry("model.json") ?? throw new ModelFormatException(path, "not an Xai4Mri.ML model file (no model.json)");
            using (var s = json.Open())
            {
                manifest = JsonSerializer.Deserialize<Manifest>(s) ?? throw new ModelFormatException(path, "empty model.json");
            }
            var bin = zip.GetEntry("weights.bin") ?? throw new ModelFormatException(path, "weights.bin is missing");
            using var ms = new MemoryStream();
            using (var s = bin.Open())
            {
                s.CopyTo(ms);
            }
            weights = ms.ToArray();
        }
        catch (Exception e) when (e is IOException and not ModelFormatException or InvalidDataException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ModelFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the model ({e.Message})", e);
        }
        if (manifest.Format != FormatName || manifest.Version != FormatVersion)
        {
            throw new ModelFormatException(path, $"unsupported model format '{manifest.Format}' version {manifest.Version}");
        }
        if (Convert.ToHexStringLower(SHA256.HashData(weights)) != manifest.WeightsSha256)
        {
            throw new ModelFormatException(path, "weights do not match their checksum (the file is corrupt)");
        }
        NetworkModule network;
        try
        {
            network = new NetworkModule(manifest.Spec);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException(path, $"invalid architecture: {e.Message}", e);
        }
        var state = network.state_dict();
        using (no_grad())
        {
            foreach (var entry in manifest.Tensors)
            {
                if (!state.TryGetValue(entry.Name, out var target))
                {
                    network.Dispose();
                    throw new ModelFormatException(path, $"tensor '{entry.Name}' does not belong to the architecture");
                }
                if (!target.shape.SequenceEqual(entry.Shape) || target.dtype.ToString() != entry.DType || entry.Offset < 0 || entry.Offset + entry.Length > weights.Length
                    || entry.Length != target.numel() * target.ElementSize)
                {
                    network.Dispose();
                    throw new ModelFormatException(path, $"tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}] {entry.DType}, the architecture needs [{string.Join(", ", target.shape)}] {target.dtype}");
                }
                target.bytes = weights.AsSpan((int)entry.Offset, (int)entry.Length).ToArray();
            }
        }
        var missing = state.Keys.Except(manifest.Tensors.Select(t => t.Name)).ToList();
        if (missing.Count > 0)
        {
            network.Dispose();
            throw new ModelFormatException(path, $"weights missing for {string.Join(", ", missing)}");
        }
        return new MriNetModel(network, manifest.Task, manifest.Conventions, manifest.Provenance) { LearningRate = manifest.LearningRate, SourceStatistics = manifest.SourceStatistics };
    }

    /// <summary>
    /// The network inside an ML.NET model .zip saved with <c>ml.Model.Save</c> from a pipeline that contains a fitted
    /// network (AdaptHead, MriNetTransfer): its weights, task, input conventions and provenance, ready to be the
    /// pretrained model of the next transfer. With several networks in the pipeline, the last one.
    /// </summary>
    /// <exception cref="ModelFormatException">The file cannot be read, is not a zip, or holds no network of ours.</exception>
    public static MriNetModel FromModelZip(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (byte[] Network, ModelDescription? Description)? found = null;
        ModelZip.Verify(path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.Name == "OnnxModel" || e.Name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                byte[] bytes = buffer.ToArray();
                // ML.NET stores the graph behind a 4-byte length prefix; accept it with or without.
                if (bytes.Length > 4 && BinaryPrimitives.ReadInt32LittleEndian(bytes) == bytes.Length - 4)
                {
                    bytes = bytes[4..];
                }
                if (ScoringGraph.TryUnwrap(bytes, out var network, out var description))
                {
                    found = (network, description);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the model .zip ({e.Message})", e);
        }
        if (found is not { } f)
        {
            throw new ModelFormatException(path, "the model .zip holds no Xai4Mri.ML network (save a pipeline with AdaptHead or MriNetTransfer)");
        }
        var spec = OnnxImporter.Load(f.Network, path);
        var d = f.Description;
        return d is null
            ? Imported(spec, $"ML.NET model ({path})")
            : new MriNetModel(spec, d.Task, d.Conventions, $"{d.Provenance}; recovered from {path}") { LearningRate = d.LearningRate, SourceStatistics = d.SourceStatistics };
    }
}
