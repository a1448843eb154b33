using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// <c>ModelZip</c>: a saved model .zip carries the SHA-256 of each member; a truncated file, a flipped byte, an altered,
/// added or removed member fails to load as a <c>ModelFormatException</c> naming the file and the problem, through
/// <c>ModelZip.Load</c> and <c>MriNetModel.Load</c>; files without the manifest still load. Our own .x4m format, whose
/// model.json holds the SHA-256 of the weights, fails the same way.
/// </summary>
[TestClass]
public sealed class ModelZipTests
{
    private const string Network = "TransformerChain/Transform_001/Transform_000/OnnxModel";

    private static string Legacy => TestPaths.Fixture("compat/regression.zip");

    /// <summary>The fixture's pipeline saved again through ModelZip.Save.</summary>
    private static string Saved(ScratchFolder dir)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(Legacy, out var schema);
        string path = dir.File("m.zip");
        ModelZip.Save(ml, model, schema, path);
        return path;
    }

    private static void Rewrite(string path, string member, Func<byte[], byte[]?> change)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = archive.GetEntry(member)!;
        using var buffer = new MemoryStream();
        using (var s = entry.Open())
        {
            s.CopyTo(buffer);
        }
        byte[]? content = change(buffer.ToArray());
        entry.Delete();
        if (content is not null)
        {
            using var s = archive.CreateEntry(member).Open();
            s.Write(content);
        }
    }

    private static ModelFormatException Refused(string path)
    {
        var e = Assert.ThrowsExactly<ModelFormatException>(() => ModelZip.Load(new MLContext(), path, out _));
        Assert.AreEqual(path, e.FilePath);
        Assert.AreEqual($"{path}: {e.Problem}", e.Message);
        var again = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(path));
        Assert.AreEqual(e.Message, again.Message, "MriNetModel.Load reports the same problem");
        return e;
    }

    [TestMethod]
    public void SaveListsTheSha256OfEveryMemberAndTheFileStillLoads()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);

        using (var archive = ZipFile.OpenRead(path))
        {
            using var json = JsonDocument.Parse(archive.GetEntry("xai4mri-sha256.json")!.Open());
            var listed = json.RootElement.GetProperty("Members").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            var others = archive.Entries.Where(e => e.FullName != "xai4mri-sha256.json").ToList();
            Assert.HasCount(others.Count, listed);
            foreach (var entry in others)
            {
                using var s = entry.Open();
                Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(s)), listed[entry.FullName], entry.FullName);
            }
        }
        var ml = new MLContext();
        var plain = ml.Model.Load(path, out var plainSchema);
        var verified = ModelZip.Load(ml, path, out var schema);
        CollectionAssert.AreEqual(plainSchema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(plain.GetOutputSchema(plainSchema).Select(c => c.Name).ToArray(), verified.GetOutputSchema(schema).Select(c => c.Name).ToArray());
        using var network = MriNetModel.Load(path);
        using var legacyNetwork = MriNetModel.Load(Legacy);
        Assert.AreEqual(legacyNetwork.Spec.ToJson(), network.Spec.ToJson());
        Assert.HasCount(1, Directory.GetFiles(dir.Path), "no temporary file is left beside the model");
    }

    [TestMethod]
    public void AFileWithoutTheManifestStillLoads()
    {
        var ml = new MLContext();
        var model = ModelZip.Load(ml, Legacy, out var schema);
        Assert.IsNotNull(model.GetOutputSchema(schema).GetColumnOrNull("Score"));
    }

    [TestMethod]
    public void ATruncatedFileIsACorruptZip()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        StringAssert.StartsWith(Refused(path).Problem, "corrupt or truncated zip archive (");
    }

    [TestMethod]
    public void AFlippedByteInAMemberNamesTheMember()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        byte[] bytes = File.ReadAllBytes(path);
        // The network's graph takes most of the file: its compressed data spans the middle.
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        string problem = Refused(path).Problem;
        StringAssert.StartsWith(problem, $"member '{Network}' ");
        StringAssert.EndsWith(problem, "(the file is corrupt)");
    }

    [TestMethod]
    public void AnAlteredMemberFailsItsSha256()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        // Rewritten through the zip library, the member's CRC-32 is valid again: only the manifest tells.
        Rewrite(path, Network, content =>
        {
            content[^1] ^= 1;
            return content;
        });

        Assert.AreEqual($"member '{Network}' does not match its SHA-256 in the manifest (the file is corrupt)", Refused(path).Problem);
    }

    [TestMethod]
    public void AnAddedOrRemovedMemberIsNamed()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using var s = archive.CreateEntry("TransformerChain/extra").Open();
            s.WriteByte(1);
        }
        Assert.AreEqual("member 'TransformerChain/extra' is not in its SHA-256 manifest (the file was altered after it was saved)", Refused(path).Problem);

        Rewrite(path, "TransformerChain/extra", _ => null);
        Rewrite(path, "Schema", _ => null);
        Assert.AreEqual("member 'Schema' of its SHA-256 manifest is missing (the file is corrupt)", Refused(path).Problem);
    }

    [TestMethod]
    public void ADamagedManifestIsNamed()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        Rewrite(path, "xai4mri-sha256.json", content => content[..(content.Length / 2)]);

        StringAssert.StartsWith(Refused(path).Problem, "its SHA-256 manifest xai4mri-sha256.json is unreadable (");
    }

    [TestMethod]
    public void AnAlteredMemberOfAFileWithoutTheManifestFailsAsAModelFormatException()
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File("legacy.zip");
        File.Copy(Legacy, path);
        Rewrite(path, "TransformerChain/Model.key", content => content[..(content.Length / 3)]);

        var e = Assert.ThrowsExactly<ModelFormatException>(() => ModelZip.Load(new MLContext(), path, out _));
        StringAssert.StartsWith(e.Message, $"{path}: cannot load the model .zip (");
        Assert.DoesNotContain("\n", e.Message);
    }

    [TestMethod]
    public void AFailedSaveLeavesNoFile()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext();
        var model = ml.Model.Load(Legacy, out var schema);
        Directory.CreateDirectory(dir.File("m.zip"));

        Assert.Throws<IOException>(() => ModelZip.Save(ml, model, schema, dir.File("m.zip")));
        CollectionAssert.AreEqual(new[] { dir.File("m.zip") }, Directory.GetFileSystemEntries(dir.Path), "the directory in the way, and no temporary file");
    }

    [TestMethod]
    public void ADamagedOwnFormatFileNamesTheProblem()
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File("m.x4m");
        using (var model = MriNetModel.CreateMriNet([12, 14, 12], ModelTask.Regression(30), seed: 4))
        {
            model.Save(path);
        }
        byte[] saved = File.ReadAllBytes(path);

        File.WriteAllBytes(path, saved[..(saved.Length / 2)]);
        var truncated = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(path));
        StringAssert.StartsWith(truncated.Message, $"{path}: corrupt or truncated zip archive (");

        File.WriteAllBytes(path, saved);
        Rewrite(path, "weights.bin", content =>
        {
            content[content.Length / 2] ^= 0x10;
            return content;
        });
        var altered = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(path));
        Assert.AreEqual($"{path}: weights do not match their checksum (the file is corrupt)", altered.Message);

        File.WriteAllBytes(path, saved);
        Rewrite(path, "model.json", content => content[..(content.Length / 2)]);
        var manifest = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(path));
        StringAssert.StartsWith(manifest.Message, $"{path}: cannot read the model (");
        Assert.DoesNotContain("\n", manifest.Message);
    }
}
