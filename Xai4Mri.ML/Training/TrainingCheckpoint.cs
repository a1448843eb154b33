using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Xai4Mri.ML.Training;

/// <summary>
/// Everything a training run needs to continue after the process dies: where it is (phase, epoch, early-stopping
/// counters), the history, the current and best weights and the optimizer's moments. One zip written atomically
/// after every epoch; read back only when its checksum and its run fingerprint match.
/// </summary>
internal sealed record TrainingCheckpoint
{
    public const string FileName = "xai4mri-training.ckpt";

    public string Fingerprint { get; init; } = "";

    public int Phase { get; init; }

    public int EpochInPhase { get; init; }

    public bool PhaseFinished { get; init; }

    public bool Completed { get; init; }

    public double BestLoss { get; init; } = double.PositiveInfinity;

    public double PhaseBestLoss { get; init; } = double.PositiveInfinity;

    public int Wait { get; init; }

    public long OptimizerSteps { get; init; }

    public IReadOnlyList<TrainingProgress> History { get; init; } = [];

    public IReadOnlyList<int> Lengths { get; init; } = [];

    public string Sha256 { get; init; } = "";

    /// <summary>Writes the checkpoint with its tensors (current weights, best weights, optimizer moments, in that order).</summary>
    public static void Save(string path, TrainingCheckpoint state, IReadOnlyList<float[]> tensors)
    {
        using var data = new MemoryStream();
        foreach (var t in tensors)
        {
            data.Write(MemoryMarshal.AsBytes(t.AsSpan()));
        }
        byte[] bytes = data.ToArray();
        var manifest = state with { Lengths = [.. tensors.Select(t => t.Length)], Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        string temp = path + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var zip = new ZipArchive(File.Create(temp), ZipArchiveMode.Create))
            {
                using (var s = zip.CreateEntry("state.json").Open())
                {
                    JsonSerializer.Serialize(s, manifest, Json);
                }
                using (var s = zip.CreateEntry("tensors.bin", CompressionLevel.NoCompression).Open())
                {
                    s.Write(bytes);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The checkpoint in <paramref name="path"/> with its tensors, or null (and why) when it is absent, corrupt or of another run.</summary>
    public static (TrainingCheckpoint? State, List<float[]> Tensors, string? Problem) TryLoad(string path, string fingerprint)
    {
        if (!File.Exists(path))
        {
            return (null, [], null);
        }
        try
        {
            using var zip = ZipFile.OpenRead(path);
            TrainingCheckpoint? state;
            using (var s = zip.GetEntry("state.json")?.Open() ?? throw new InvalidDataException("state.json missing"))
            {
                state = JsonSerializer.Deserialize<TrainingCheckpoint>(s, Json);
            }
            if (state is null || state.Fingerprint != fingerprint)
            {
                return (null, [], "it belongs to another run (different data, model or options)");
            }
            using var buffer = new MemoryStream();
            using (var s = zip.GetEntry("tensors.bin")?.Open() ?? throw new InvalidDataException("tensors.bin missing"))
            {
                s.CopyTo(buffer);
            }
            byte[] bytes = buffer.ToArray();
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != state.Sha256 || state.Lengths.Sum(l => (long)l) * 4 != bytes.Length)
            {
                return (null, [], "its tensors do not match their checksum");
            }
            var tensors = new List<float[]>();
            int offset = 0;
            foreach (int length in state.Lengths)
            {
                tensors.Add(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset, length * 4)).ToArray());
                offset += length * 4;
            }
            return (state, tensors, null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            return (null, [], $"it cannot be read ({e.Message})");
        }
    }

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
