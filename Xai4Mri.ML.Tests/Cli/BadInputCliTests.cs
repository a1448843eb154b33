using System.Buffers.Binary;
using System.Globalization;
using Xai4Mri.Cli;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Nifti;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// Bad image files through the commands (docs/robustness.md): <c>info</c> exits 1 with one line naming the file;
/// <c>predict</c> names each image it cannot score, scores the others and exits 1; <c>train</c> and <c>analyze</c>
/// name the first unreadable file, and say which images load as background.
/// </summary>
[TestClass]
public sealed class BadInputCliTests
{
    private static string Model => TestPaths.Fixture("compat/regression.zip");

    private static string Good => TestPaths.Fixture("compat/image-0.nii.gz");

    private static string Filled(string path, float value)
    {
        var voxels = new float[24 * 28 * 24];
        Array.Fill(voxels, value);
        NiftiWriter.Write<float>(path, voxels, [24, 28, 24], Affine.FromLinearAndTranslation([4, 0, 0, 0, 4, 0, 0, 0, 4], [-48, -56, -48]));
        return path;
    }

    /// <summary>One of each kind of file a reader must refuse, named by what is wrong with it.</summary>
    private static Dictionary<string, string> Broken(ScratchFolder dir)
    {
        byte[] valid = File.ReadAllBytes(SmallImages.WriteInt16(dir.File("valid.nii")));
        var files = new Dictionary<string, string>();
        void Add(string name, string problem, byte[] content)
        {
            File.WriteAllBytes(dir.File(name), content);
            files[dir.File(name)] = problem;
        }
        Add("empty.nii", "file is empty", []);
        Add("picture.nii", "not a NIfTI-1, NIfTI-2 or MGH file", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
        Add("short.nii", "file is truncated", valid[..500]);
        byte[] dims = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt16LittleEndian(dims.AsSpan(40), 9);
        Add("dim0.nii", "dim[0] is 9", dims);
        byte[] size = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(size, 349);
        Add("sizeof.nii", "not a NIfTI file: sizeof_hdr is 349", size);
        Directory.CreateDirectory(dir.File("folder.nii.gz"));
        files[dir.File("folder.nii.gz")] = "is a directory, not an image file";
        files[dir.File("missing.nii.gz")] = "file not found";
        return files;
    }

    [TestMethod]
    public void InfoExitsOneWithOneLineNamingTheFile()
    {
        using var dir = TestPaths.Scratch();
        foreach (var (path, problem) in Broken(dir))
        {
            var (code, stdout, stderr) = CliRunner.Run("info", path);
            Assert.AreEqual(CliApp.ExitBadInput, code, path);
            Assert.AreEqual("", stdout);
            StringAssert.StartsWith(stderr, $"xai4mri info: {path}: {problem}");
            Assert.HasCount(1, stderr.TrimEnd().Split('\n'), stderr);
        }
    }

    [TestMethod]
    public void PredictScoresTheGoodImagesAndNamesEachBadOne()
    {
        using var dir = TestPaths.Scratch();
        var broken = Broken(dir);
        string zero = Filled(dir.File("zero image.nii.gz"), 0);
        string nan = Filled(dir.File("nan ü.nii.gz"), float.NaN);
        string[] files = [Good, .. broken.Keys, zero, nan];

        var (code, stdout, stderr) = CliRunner.Run(["predict", "--model", Model, .. files]);

        Assert.AreEqual(CliApp.ExitBadInput, code, stderr);
        string[] rows = stdout.TrimEnd('\n').Split('\n');
        Assert.HasCount(2, rows, stdout);
        StringAssert.StartsWith(rows[1], Good + "\t");
        string[] lines = stderr.Replace("\r", "").TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("predict ", StringComparison.Ordinal)).ToArray();
        foreach (var (path, problem) in broken)
        {
            Assert.IsTrue(lines.Any(l => l.StartsWith($"xai4mri predict: {path}: {problem}", StringComparison.Ordinal) && l.EndsWith("; not scored", StringComparison.Ordinal)), $"{path}\n{stderr}");
        }
        Assert.IsTrue(lines.Any(l => l.StartsWith($"xai4mri predict: {zero}: the image is all background", StringComparison.Ordinal)), stderr);
        Assert.IsTrue(lines.Any(l => l == $"xai4mri predict: {nan}: no finite voxel: all 16128 voxels are NaN or infinite; not scored"), stderr);
        Assert.AreEqual($"xai4mri predict: {files.Length - 1} of {files.Length} images were not scored (each named above); the table holds the others", lines[^1]);
        Assert.HasCount(files.Length, lines, stderr);
    }

    [TestMethod]
    public void PredictOnAStudyTableNamesEachSubjectItDoesNotScore()
    {
        using var dir = TestPaths.Scratch();
        string Image(string id) => dir.File($"{id}/anat/{id}_T1w.nii.gz");
        foreach (string id in new[] { "sub-good", "sub-zero", "sub-folder" })
        {
            Directory.CreateDirectory(dir.File($"{id}/anat"));
        }
        File.Copy(Good, Image("sub-good"));
        Filled(Image("sub-zero"), 0);
        Directory.CreateDirectory(Image("sub-folder"));
        File.WriteAllLines(dir.File("participants.tsv"), ["participant_id\tage", "sub-good\t30", "sub-missing\t40", "sub-zero\t50", "sub-folder\t60"]);

        var (code, stdout, stderr) = CliRunner.Run("predict", "--model", Model, "--data", dir.File("participants.tsv"));

        Assert.AreEqual(CliApp.ExitBadInput, code, stderr);
        string[] rows = stdout.TrimEnd('\n').Split('\n');
        Assert.HasCount(2, rows, stdout);
        StringAssert.StartsWith(rows[1], "sub-good\t");
        StringAssert.Contains(stderr, $"xai4mri predict: {Image("sub-missing")}: subject sub-missing: image file not found; not scored");
        StringAssert.Contains(stderr, $"xai4mri predict: {Image("sub-folder")}: subject sub-folder: image path is a directory, not an image file; not scored");
        StringAssert.Contains(stderr, $"xai4mri predict: {Image("sub-zero")}: the image is all background");
        StringAssert.EndsWith(stderr.TrimEnd(), "xai4mri predict: 3 of 4 images were not scored (each named above); the table holds the others");
    }

    [TestMethod]
    public void InfoAndPredictAgreeOnADirectory()
    {
        using var dir = TestPaths.Scratch();
        Directory.CreateDirectory(dir.File("sub-01.nii"));
        var info = CliRunner.Run("info", dir.File("sub-01.nii"));
        var predict = CliRunner.Run("predict", "--model", Model, dir.File("sub-01.nii"));
        string expected = $"{dir.File("sub-01.nii")}: is a directory, not an image file";
        Assert.AreEqual($"xai4mri info: {expected}", info.Err.TrimEnd());
        StringAssert.StartsWith(predict.Err, $"xai4mri predict: {expected}; not scored");
        Assert.AreEqual(CliApp.ExitBadInput, predict.Code);
    }

    [TestMethod]
    public void TrainAndAnalyzeSayWhichImagesLoadAsBackgroundAndRefuseUnreadableOnes()
    {
        using var dir = TestPaths.Scratch();
        var lines = new List<string> { "participant_id\tage" };
        for (int s = 0; s < 4; s++)
        {
            string id = $"sub-{s:00}";
            Directory.CreateDirectory(dir.File($"{id}/anat"));
            string image = dir.File($"{id}/anat/{id}_T1w.nii.gz");
            if (s == 1)
            {
                Filled(image, 0);
            }
            else
            {
                TinyPhantoms.Write(image, 0.7 + (0.05 * s), "RAS", voxel: 8, seed: s);
            }
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id}\t{20 + (5 * s)}"));
        }
        string table = dir.File("participants.tsv");
        File.WriteAllLines(table, lines);
        string[] train = ["train", "--data", table, "--label", "age", "--out", dir.File("m.zip"), "--strategy", "mono", "--epochs", "1", "--batch-size", "2",
            "--validation-fraction", "0.25", "--cache", dir.File("cache")];

        var (code, _, stderr) = CliRunner.Run(train);
        Assert.AreEqual(CliApp.ExitOk, code, stderr);
        StringAssert.Contains(stderr, "LoadNifti: warning: 1 of 4 images hold nothing to learn from and load as background: sub-01: the image is all background");

        Filled(dir.File("sub-02/anat/sub-02_T1w.nii.gz"), float.NaN);
        (code, _, stderr) = CliRunner.Run(train);
        Assert.AreEqual(CliApp.ExitBadInput, code, stderr);
        string expected = $"{dir.File("sub-02/anat/sub-02_T1w.nii.gz")}: subject sub-02: no finite voxel: all 16128 voxels are NaN or infinite";
        Assert.AreEqual($"xai4mri train: {expected}", stderr.TrimEnd().Split('\n')[^1]);

        using (var model = MriNetModel.CreateMriNet([16, 16, 16], ModelTask.Regression(50, "age"), seed: 2))
        {
            model.Save(dir.File("pretrained.x4m"));
        }
        (code, _, stderr) = CliRunner.Run("analyze", "--model", dir.File("pretrained.x4m"), "--data", table, "--label", "age", "--cache", dir.File("cache"));
        Assert.AreEqual(CliApp.ExitBadInput, code, stderr);
        Assert.AreEqual($"xai4mri analyze: {expected}", stderr.TrimEnd().Split('\n')[^1]);
    }
}
