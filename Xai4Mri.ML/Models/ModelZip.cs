using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Models;

/// <summary>
/// ML.NET model .zip files with a SHA-256 manifest of their members: <see cref="Save"/> writes one, <see cref="Load"/>
/// verifies it, so a damaged or altered file fails as a <see cref="ModelFormatException"/> naming it and the problem.
/// </summary>
public static class ModelZip
{
    /// <summary>
    /// The manifest member, at the root of the archive beside ML.NET's own members (ML.NET reads members by name and
    /// ignores it, so <c>ml.Model.Load</c> still loads the file).
    /// </summary>
    internal const string ManifestEntryName = "xai4mri-sha256.json";

    private const string FormatName = "xai4mri-model-zip-sha256";
    private const int FormatVersion = 1;
    private static readonly DateTimeOffset FixedEntryTime = new(2000, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed record Manifest(string Format, int Version, SortedDictionary<string, string> Members);

    /// <summary>
    /// Saves <paramref name="model"/> as <c>ml.Model.Save</c> does, then adds the SHA-256 of every member (of its
    /// uncompressed content). Written atomically: a failed save leaves no file and no temporary file behind.
    /// </summary>
    public static void Save(MLContext ml, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            ml.Model.Save(model, inputSchema, temp);
            var members = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using (var archive = ZipFile.OpenRead(temp))
            {
                foreach (var entry in archive.Entries)
                {
                    using var stream = entry.Open();
                    members[entry.FullName] = Convert.ToHexStringLower(SHA256.HashData(stream));
                }
            }
            using (var archive = ZipFile.Open(temp, ZipArchiveMode.Update))
            {
                var manifestEntry = archive.CreateEntry(ManifestEntryName, CompressionLevel.Optimal);
                manifestEntry.LastWriteTime = FixedEntryTime;
                using var s = manifestEntry.Open();
                JsonSerializer.Serialize(s, new Manifest(FormatName, FormatVersion, members), new JsonSerializerOptions { WriteIndented = true });
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            // Checked first: File.Delete throws when the folder is missing, which would hide why the save failed.
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
            throw;
        }
    }

    /// <summary>
    /// Loads a model .zip as <c>ml.Model.Load</c> does, after checking each member against the manifest
    /// <see cref="Save"/> wrote. Files saved without one (by <c>ml.Model.Save</c> itself, or before the manifest
    /// existed) still load; their damage is found only as far as the zip structure and ML.NET's reader find it. The
    /// temporary files ML.NET writes for the file's ONNX graphs go to a folder of the library's that is deleted when the
    /// process exits (<paramref name="ml"/>'s <c>TempFilePath</c> is set to it during the call).
    /// </summary>
    /// <exception cref="ModelFormatException">
    /// The file is missing, truncated or not a zip, a member differs from its SHA-256 or is missing or unlisted, or
    /// ML.NET cannot load the pipeline in it.
    /// </exception>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Verify(path);
        // ML.NET writes each ONNX graph in the file to a temporary file, and leaves it behind if the graph then fails
        // to load: written to the library's folder, removed when the process exits.
        string temporary = ml.TempFilePath;
        ml.TempFilePath = OnnxTempFolder.Path;
        try
        {
            using var stream = File.OpenRead(path);
            return ml.Model.Load(stream, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever ML.NET, ONNX Runtime or a transformer's loader throws while reading a saved pipeline
            // (InvalidOperationException, FormatException, ONNX Runtime's own type, ...), the cause is this file.
            throw new ModelFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot load the model .zip ({Reason(e)})", e);
        }
        finally
        {
            ml.TempFilePath = temporary;
        }
    }

    /// <summary>
    /// The first line of <paramref name="e"/>'s message, then of its innermost exception's: ML.NET says where it failed
    /// ("Error during class instantiation"), the exception it wraps says what failed (a graph's parser: "One of the
    /// identified items was in an invalid format.").
    /// </summary>
    private static string Reason(Exception e)
    {
        string reason = e.Message.Split('\n')[0].TrimEnd();
        var root = e.GetBaseException();
        return root == e ? reason : $"{reason}: {root.Message.Split('\n')[0].TrimEnd()}";
    }

    /// <summary>
    /// Checks the zip structure of <paramref name="path"/> and, where it has a manifest, every member against its
    /// SHA-256.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is unreadable, not a zip, truncated, or differs from its manifest.</exception>
    internal static void Verify(string path)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            if (archive.GetEntry(ManifestEntryName) is not { } manifestEntry)
            {
                return;
            }
            Manifest manifest;
            try
            {
                using var s = manifestEntry.Open();
                manifest = JsonSerializer.Deserialize<Manifest>(s) ?? throw new JsonException("empty");
            }
            catch (JsonException e)
            {
                throw new ModelFormatException(path, $"its SHA-256 manifest {ManifestEntryName} is unreadable ({e.Message.Split('\n')[0].TrimEnd()}; the file is corrupt)", e);
            }
            if (manifest.Format != FormatName || manifest.Version != FormatVersion || manifest.Members is null)
            {
                throw new ModelFormatException(path, $"its SHA-256 manifest {ManifestEntryName} is of an unknown format '{manifest.Format}' version {manifest.Version}");
            }
            foreach (var entry in archive.Entries.Where(e => e.FullName != ManifestEntryName))
            {
                if (!manifest.Members.TryGetValue(entry.FullName, out string? expected))
                {
                    throw new ModelFormatException(path, $"member '{entry.FullName}' is not in its SHA-256 manifest (the file was altered after it was saved)");
                }
                string actual;
                try
                {
                    using var stream = entry.Open();
                    actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                }
                catch (InvalidDataException e)
                {
                    throw new ModelFormatException(path, $"member '{entry.FullName}' cannot be read ({e.Message}; the file is corrupt)", e);
                }
                if (actual != expected)
                {
                    throw new ModelFormatException(path, $"member '{entry.FullName}' does not match its SHA-256 in the manifest (the file is corrupt)");
                }
            }
            if (manifest.Members.Keys.FirstOrDefault(name => archive.GetEntry(name) is null) is { } lost)
            {
                throw new ModelFormatException(path, $"member '{lost}' of its SHA-256 manifest is missing (the file is corrupt)");
            }
        }
        catch (Exception e) when (e is IOException and not ModelFormatException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the file ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"corrupt or truncated zip archive ({e.Message})", e);
        }
    }
}
