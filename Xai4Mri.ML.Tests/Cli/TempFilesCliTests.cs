using System.Globalization;
using System.IO.Compression;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// The ONNX graphs ML.NET writes to the temp folder while a network is exported into a model .zip (train) or a model
/// .zip is loaded (predict, also when its graph fails to load) are all gone when the command's process has exited.
/// Each command runs in its own process with TMPDIR set to a fresh folder, which is then listed.
/// </summary>
[TestClass]
public sealed class TempFilesCliTests
{
    /// <summary>
    /// ONNX Runtime's telemetry session file (1DS SDK), which it keeps in the temp folder across runs unless
    /// ORT_DISABLE_TELEMETRY=1; not a file of ours, and the same one each run.
    /// </summary>
    private const string OnnxRuntimeTelemetry = ".ses";

    /// <summary>Runs the command with a fresh temp folder; its exit code and output, and what it left in the folder.</summary>
    private static (int Code, string Output, string Left) Run(ScratchFolder dir, string name, params string[] args)
    {
        string temp = dir.File(name);
        Directory.CreateDirectory(temp);
        using var child = CliProcess.Start(args, new Dictionary<string, string> { ["TMPDIR"] = temp });
        var (code, output) = child.WaitForExit();
        return (code, output, string.Join(", ", Directory.GetFileSystemEntries(temp).Select(Path.GetFileName).Where(n => n != OnnxRuntimeTelemetry).Order(StringComparer.Ordinal)));
    }

    [TestMethod]
    public void TrainAndPredictLeaveNoTemporaryFile()
    {
        using var dir = TestPaths.Scratch();
        var lines = new List<string> { "participant_id\tage" };
        for (int s = 0; s < 4; s++)
        {
            string id = $"sub-{s:00}";
            Directory.CreateDirectory(dir.File($"{id}/anat"));
            TinyPhantoms.Write(dir.File($"{id}/anat/{id}_T1w.nii.gz"), 0.7 + (0.05 * s), "RAS", voxel: 8, seed: s);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id}\t{20 + (5 * s)}"));
        }
        File.WriteAllLines(dir.File("participants.tsv"), lines);
        string image = dir.File("sub-00/anat/sub-00_T1w.nii.gz");

        var train = Run(dir, "tmp-train", "train", "--data", dir.File("participants.tsv"), "--label", "age",
            "--out", dir.File("m.zip"), "--strategy", "mono", "--epochs", "1", "--batch-size", "2", "--validation-fraction", "0.25");
        Assert.AreEqual(0, train.Code, train.Output);
        Assert.AreEqual("", train.Left);
        Assert.IsTrue(File.Exists(dir.File("m.zip")));
        var predict = Run(dir, "tmp-predict", "predict", "--model", dir.File("m.zip"), image);
        Assert.AreEqual(0, predict.Code, predict.Output);
        Assert.AreEqual("", predict.Left);

        // A file without the manifest whose network graph is cut short: ML.NET writes the graph to the temp folder,
        // then ONNX Runtime fails to parse it.
        File.Copy(TestPaths.Fixture("compat/regression.zip"), dir.File("damaged.zip"));
        using (var archive = ZipFile.Open(dir.File("damaged.zip"), ZipArchiveMode.Update))
        {
            const string network = "TransformerChain/Transform_001/Transform_000/OnnxModel";
            var entry = archive.GetEntry(network)!;
            using var buffer = new MemoryStream();
            using (var s = entry.Open())
            {
                s.CopyTo(buffer);
            }
            entry.Delete();
            using var replaced = archive.CreateEntry(network).Open();
            replaced.Write(buffer.ToArray().AsSpan(0, (int)buffer.Length / 2));
        }
        var failed = Run(dir, "tmp-failed", "predict", "--model", dir.File("damaged.zip"), image);
        Assert.AreEqual(1, failed.Code, failed.Output);
        StringAssert.StartsWith(failed.Output, $"xai4mri predict: {dir.File("damaged.zip")}: cannot load the model .zip (");
        Assert.AreEqual("", failed.Left);
    }
}
