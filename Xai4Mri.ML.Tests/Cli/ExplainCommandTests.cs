using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Explanations;
using Xai4Mri.ML.Tests.Transfer;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// <c>xai4mri explain</c> in its own process: per file a map in the file's grid, a PNG and one explain.json whose
/// numbers equal the library's for the same conformed image; a train-style model .zip explained with its loader; and
/// exit codes 2 and 1 with nothing written for a bad method, a missing file, a pipeline without a network and a layer
/// the rule cannot handle.
/// </summary>
[TestClass]
public sealed class ExplainCommandTests
{
    private static readonly int[] Shape = TransferData.Shape;

    [TestMethod]
    public void EachFileGetsItsMapInItsOwnGridAFigureAndAJsonEntry()
    {
        using var dir = TestPaths.Scratch();
        string[] files = [Volumes.TinyPhantoms.Write(dir.File("sub-1_T1w.nii.gz"), 0.7, "RAS", seed: 1), Volumes.TinyPhantoms.Write(dir.File("sub-2_T1w.nii"), 0.8, "LPS", seed: 2)];
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);
        string modelPath = dir.File("net.x4m");
        model.Save(modelPath);
        string output = dir.File("maps");

        using var process = CliProcess.Start(["explain", "--model", modelPath, "--out", output, "--png", "--cache", dir.File("cache"), .. files]);
        var (code, log) = process.WaitForExit();
        Assert.AreEqual(0, code, log);
        CollectionAssert.AreEquivalent(new[] { "explain.json", "sub-1_T1w_relevance.nii.gz", "sub-1_T1w_relevance.png", "sub-2_T1w_relevance.nii.gz", "sub-2_T1w_relevance.png" },
            Directory.GetFiles(output).Select(Path.GetFileName).ToArray(), "nothing else, no staging folder left");

        // The library's own map of the same conformed image (the model's conventions: NiftiLoaderOptions.For).
        var ml = new MLContext(seed: 0);
        var options = NiftiLoaderOptions.For(model);
        options.CacheDirectory = dir.File("cache-here");
        var loader = ml.Transforms.LoadNifti("Image", "Path", options).Fit(ml.Data.LoadFromEnumerable(files.Select(f => new TransferData.FileRow { Path = f })));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "explain.json")));
        Assert.AreEqual("preset-a", json.RootElement.GetProperty("method").GetString());
        var entries = json.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.HasCount(2, entries);
        for (int i = 0; i < 2; i++)
        {
            var entry = entries[i];
            Assert.AreEqual(files[i], entry.GetProperty("file").GetString());
            var (image, _) = loader.LoadOne(files[i]);
            var map = RelevanceMaps.Compute(model, image, 1).Single();
            Assert.AreEqual(map.OutputValue, entry.GetProperty("outputValue").GetDouble(), 1e-5 * Math.Abs(map.OutputValue), "the model's output");
            Assert.AreEqual(map.RelevanceSum, entry.GetProperty("relevanceSum").GetDouble(), 1e-5 * map.Values.Sum(v => Math.Abs((double)v)), "the map's sum");
            Assert.IsGreaterThan(0, entry.GetProperty("secondsPerMap").GetDouble());
            Assert.IsGreaterThan(0, entry.GetProperty("secondsPerForwardBackward").GetDouble());
            Assert.AreEqual("non-zero voxels (brain-extracted scan)", entry.GetProperty("brainFrom").GetString(), "a phantom has no skull");

            string stem = Path.GetFileName(files[i]).Split('.')[0];
            var input = MriImage.Load(files[i]);
            var written = MriImage.Load(Path.Combine(output, entry.GetProperty("relevance").GetString()!));
            Assert.AreEqual($"{stem}_relevance.nii.gz", Path.GetFileName(written.FilePath));
            CollectionAssert.AreEqual(input.Shape, written.Shape, "the file's own grid");
            Assert.AreEqual(input.Affine, written.Affine, "the file's own affine");
            var native = loader.ToNative(files[i], map.Values).ToFileOrder();
            var back = written.GetFloatData();
            for (int v = 0; v < native.Length; v++)
            {
                Assert.AreEqual(native[v], back[v], 1e-5f * (1 + Math.Abs(native[v])), $"{stem} voxel {v}");
            }
            // The shares by hand, in file order (first axis fastest): the brain is the phantom's non-zero voxels.
            var scan = input.GetFloatData();
            int nx = (int)input.Shape[0], ny = (int)input.Shape[1];
            int[] low = [int.MaxValue, int.MaxValue, int.MaxValue], high = [-1, -1, -1];
            for (int v = 0; v < scan.Length; v++)
            {
                if (scan[v] > 0)
                {
                    int[] at = [v % nx, v / nx % ny, v / (nx * ny)];
                    for (int a = 0; a < 3; a++)
                    {
                        low[a] = Math.Min(low[a], at[a]);
                        high[a] = Math.Max(high[a], at[a]);
                    }
                }
            }
            double positive = 0, positiveInBox = 0, absolute = 0, absoluteInBrain = 0;
            for (int v = 0; v < back.Length; v++)
            {
                absolute += Math.Abs(back[v]);
                absoluteInBrain += scan[v] > 0 ? Math.Abs(back[v]) : 0;
                int[] at = [v % nx, v / nx % ny, v / (nx * ny)];
                if (back[v] > 0)
                {
                    positive += back[v];
                    positiveInBox += Enumerable.Range(0, 3).All(a => at[a] >= low[a] && at[a] <= high[a]) ? back[v] : 0;
                }
            }
            var positiveShare = entry.GetProperty("positiveShareInBrainBox");
            if (positive == 0)
            {
                Assert.AreEqual(JsonValueKind.Null, positiveShare.ValueKind, "no positive relevance: no share");
            }
            else
            {
                Assert.AreEqual(positiveInBox / positive, positiveShare.GetDouble(), 1e-5, "positive share in the brain's box");
            }
            Assert.AreEqual(absoluteInBrain / absolute, entry.GetProperty("absoluteShareInBrain").GetDouble(), 1e-5, "absolute share on the brain");
            byte[] png = File.ReadAllBytes(Path.Combine(output, entry.GetProperty("png").GetString()!));
            Assert.AreEqual(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), "PNG width");
        }
    }

    [TestMethod]
    public void OnARealHeadWithSkullTheShareOnTheBrainShowsRelevanceOutsideItUnlessTheLoaderStripsTheHead()
    {
        using var dir = TestPaths.Scratch();
        string head = TestPaths.Fixture("realheads/ch2_t1w_head_3mm.nii.gz");
        using var model = MriNetModel.CreateMriNet([32, 36, 38], ModelTask.Regression(40), seed: 3, conventions: new InputConventions { VoxelSize = [6.0] });
        string modelPath = dir.File("net.x4m");
        model.Save(modelPath);

        JsonElement Entry(string brainExtraction)
        {
            string output = dir.File($"maps-{brainExtraction}");
            var (code, _, stderr) = CliRunner.Run("explain", "--model", modelPath, "--out", output, "--method", "gradient-x-input",
                "--brain-extraction", brainExtraction, "--cache", dir.File("cache"), head);
            Assert.AreEqual(0, code, stderr);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "explain.json")));
            return json.RootElement.GetProperty("files")[0].Clone();
        }

        var kept = Entry("none");
        var stripped = Entry("always");
        StringAssert.StartsWith(kept.GetProperty("brainFrom").GetString(), "brain mask", "the head check finds skull and scalp");
        double keptShare = kept.GetProperty("absoluteShareInBrain").GetDouble(), strippedShare = stripped.GetProperty("absoluteShareInBrain").GetDouble();
        // Gradient × input is zero where the input is: on the stripped head only the resampling's blur at the brain's edge
        // carries relevance off the mask; on the kept head skull and scalp carry their own share.
        Assert.IsGreaterThan(0.9, strippedShare, $"stripped: {strippedShare}");
        Assert.IsLessThan(strippedShare - 0.1, keptShare, $"kept {keptShare} against stripped {strippedShare}");
    }

    [TestMethod]
    public void ATrainedModelZipIsExplainedWithItsOwnLoader()
    {
        using var dir = TestPaths.Scratch();
        var rows = TransferData.Files(dir, 4, 0.6, 0.1);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var pretrained = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);
        var fitted = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape, Orientation = "RAS" })
            .Append(ml.Transforms.AdaptHead("Age", "Image", pretrained))
            .Fit(data);
        string zip = dir.File("model.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var scores = ml.Data.CreateEnumerable<TransferData.Scored>(fitted.Transform(data), reuseRowObject: false).ToDictionary(r => r.Path, r => r.Score);

        Assert.AreEqual("RAS", SavedLoaderSettings.FromModelZip(zip).Orientation, "the loader inside the .zip");
        var (code, _, stderr) = CliRunner.Run("explain", "--model", zip, "--out", dir.File("maps"), "--method", "gradient-x-input", "--cache", dir.File("cli-cache"), rows[1].Path, rows[3].Path);
        Assert.AreEqual(0, code, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("maps/explain.json")));
        foreach (var entry in json.RootElement.GetProperty("files").EnumerateArray())
        {
            string file = entry.GetProperty("file").GetString()!;
            Assert.AreEqual(scores[file], entry.GetProperty("outputValue").GetDouble(), 1e-3, $"{file}: the network's output is the pipeline's score");
            Assert.AreEqual("gradient-x-input", entry.GetProperty("method").GetString());
        }
    }

    [TestMethod]
    public void BadInputExitsWithACodeAndALineAndWritesNothing()
    {
        using var dir = TestPaths.Scratch();
        string file = Volumes.TinyPhantoms.Write(dir.File("sub-1.nii.gz"), 0.7, seed: 1);
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);
        string modelPath = dir.File("net.x4m");
        model.Save(modelPath);
        string output = dir.File("maps");

        var usage = CliRunner.Run("explain", "--model", modelPath, "--out", output, "--method", "lrp-magic", file);
        Assert.AreEqual(2, usage.Code);
        StringAssert.Contains(usage.Err, "lrp-magic");
        StringAssert.Contains(usage.Err, "epsilon-plus-flat");

        var missing = CliRunner.Run("explain", "--model", modelPath, "--out", output, file, dir.File("nope.nii.gz"));
        Assert.AreEqual(1, missing.Code);
        StringAssert.Contains(missing.Err, "nope.nii.gz: file not found; nothing was written");
        Assert.IsFalse(Directory.Exists(output), "no output folder");

        var twice = CliRunner.Run("explain", "--model", modelPath, "--out", output, file, file);
        Assert.AreEqual(2, twice.Code);
        StringAssert.Contains(twice.Err, "two inputs have the stem 'sub-1'");

        // FastTree on frozen features: the .zip holds a network that only makes features.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TransferData.Files(dir, 4, 0.6, 0.1));
        var trees = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape })
            .Append(ml.Transforms.MriNetFeaturize("Features", "Image", model))
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Features", numberOfLeaves: 2, numberOfTrees: 2, minimumExampleCountPerLeaf: 1))
            .Fit(data);
        string zip = dir.File("trees.zip");
        ml.Model.Save(trees, data.Schema, zip);
        var noNetwork = CliRunner.Run("explain", "--model", zip, "--out", output, file);
        Assert.AreEqual(1, noNetwork.Code);
        StringAssert.Contains(noNetwork.Err, "holds no Xai4Mri.ML network");

        using var odd = UnsupportedNetwork.ChannelSoftmax(16);
        string oddPath = dir.File("odd.x4m");
        odd.Save(oddPath);
        var rule = CliRunner.Run("explain", "--model", oddPath, "--out", output, "--method", "lrp-z-plus", file);
        Assert.AreEqual(1, rule.Code, rule.Err);
        StringAssert.Contains(rule.Err, "layer 'channel_softmax' (Softmax)");
        StringAssert.Contains(rule.Err, "LRP-z");
        Assert.IsFalse(Directory.Exists(output), "an error leaves no output folder behind");

        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");
        rule = CliRunner.Run("explain", "--model", oddPath, "--out", output, "--method", "lrp-z-plus", file);
        Assert.AreEqual(1, rule.Code);
        CollectionAssert.AreEqual(new[] { "keep.txt" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName).ToArray(), "an existing folder keeps only what it had");
    }
}
