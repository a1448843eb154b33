using System.IO.Compression;
using Microsoft.ML;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// A damaged model file through <c>predict</c> and <c>model-info</c> (docs/robustness.md): exit 1, nothing on stdout,
/// one stderr line naming the file and the problem; an intact file with the SHA-256 manifest scores as without it.
/// </summary>
[TestClass]
public sealed class DamagedModelCliTests
{
    private const string Network = "TransformerChain/Transform_001/Transform_000/OnnxModel";

    private static string Legacy => TestPaths.Fixture("compat/regression.zip");

    private static string Image => TestPaths.Fixture("compat/image-0.nii.gz");

    private static string Saved(ScratchFolder dir)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(Legacy, out var schema);
        string path = dir.File("m.zip");
        ModelZip.Save(ml, model, schema, path);
        return path;
    }

    private static void AssertRefused(string command, string path, string expectedLine, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run([command, .. args]);
        Assert.AreEqual(1, code, stderr);
        Assert.AreEqual("", stdout);
        string[] lines = stderr.TrimEnd('\n').Split('\n');
        Assert.HasCount(1, lines, stderr);
        StringAssert.StartsWith(lines[0], $"xai4mri {command}: {path}: ");
        StringAssert.StartsWith(lines[0], expectedLine);
    }

    [TestMethod]
    public void AModelWithTheManifestScoresAsTheFileItWasSavedFrom()
    {
        using var dir = TestPaths.Scratch();
        var fromLegacy = CliRunner.Run("predict", "--model", Legacy, Image);
        var fromSaved = CliRunner.Run("predict", "--model", Saved(dir), Image);

        Assert.AreEqual(0, fromSaved.Code, fromSaved.Err);
        Assert.AreEqual(fromLegacy.Out, fromSaved.Out);
        Assert.HasCount(2, fromSaved.Out.TrimEnd('\n').Split('\n'), fromSaved.Out);
    }

    [TestMethod]
    public void ATruncatedModelIsOneLineInPredictAndModelInfo()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        AssertRefused("predict", path, $"xai4mri predict: {path}: corrupt or truncated zip archive (", "--model", path, Image);
        AssertRefused("model-info", path, $"xai4mri model-info: {path}: corrupt or truncated zip archive (", path);
    }

    [TestMethod]
    public void AnAlteredMemberIsOneLineInPredictAndModelInfo()
    {
        using var dir = TestPaths.Scratch();
        string path = Saved(dir);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry(Network)!;
            using var s = entry.Open();
            s.Seek(-1, SeekOrigin.End);
            int last = s.ReadByte();
            s.Seek(-1, SeekOrigin.End);
            s.WriteByte((byte)(last ^ 1));
        }
        string line = $"member '{Network}' does not match its SHA-256 in the manifest (the file is corrupt)";

        AssertRefused("predict", path, $"xai4mri predict: {path}: {line}", "--model", path, Image);
        AssertRefused("model-info", path, $"xai4mri model-info: {path}: {line}", path);
    }
}
