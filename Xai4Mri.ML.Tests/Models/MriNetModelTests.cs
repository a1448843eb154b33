using System.IO.Compression;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>MriNetModel: our file format round trip and its checks, the summary, and HeadAdapter (xai4mri adapt_model).</summary>
[TestClass]
public sealed class MriNetModelTests
{
    private static float[] Predict(MriNetModel model, Tensor input)
    {
        using var scope = NewDisposeScope();
        model.Network.eval();
        using var _ = no_grad();
        return model.Network.forward(input).data<float>().ToArray();
    }

    [TestMethod]
    public void SaveAndLoadKeepWeightsAndMetadata()
    {
        using var dir = TestPaths.Scratch();
        using var model = MriNetModel.CreateMriNet([12, 14, 12], ModelTask.Regression(52.5, "age"), seed: 5, batchNorm: true,
            conventions: new InputConventions { VoxelSize = [2.0], Description = "test" });
        using (no_grad())
        {
            // Non-default batch-norm statistics must survive too.
            model.Network.Layer(0).named_buffers().First(b => b.name == "running_mean").buffer.fill_(0.25);
        }
        string path = dir.File("m.x4m");
        model.Save(path);
        using var loaded = MriNetModel.Load(path);

        var x = randn(new long[] { 2, 1, 12, 14, 12 }, generator: new TorchSharp.torch.Generator(9));
        CollectionAssert.AreEqual(Predict(model, x), Predict(loaded, x));
        Assert.AreEqual(model.Spec.ToJson(), loaded.Spec.ToJson());
        Assert.AreEqual(52.5, loaded.Task.TargetMean);
        Assert.AreEqual("age", loaded.Task.TargetName);
        CollectionAssert.AreEqual(new[] { 2.0 }, loaded.Conventions.VoxelSize);
        Assert.AreEqual(52.5f, loaded.Network.Layer(loaded.Spec.HeadIndex).parameters().Last().item<float>(), "regression head bias = target mean");
    }

    [TestMethod]
    public void SavingTheSameModelLaterGivesTheSameBytes()
    {
        using var dir = TestPaths.Scratch();
        using var model = MriNetModel.CreateMriNet([8, 8, 8], ModelTask.Regression(40, "age"), seed: 2);
        model.Save(dir.File("first.x4m"));
        // Zip time stamps have a resolution of 2 s: a file written 2 s later would differ if they were real times.
        Thread.Sleep(2100);
        model.Save(dir.File("second.x4m"));
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("first.x4m")), File.ReadAllBytes(dir.File("second.x4m")));
        using var zip = ZipFile.OpenRead(dir.File("second.x4m"));
        Assert.IsTrue(zip.Entries.All(e => e.LastWriteTime.Date == new DateTime(2000, 1, 1)));
    }

    [TestMethod]
    public void DamagedFilesAreRejectedWithTheFileName()
    {
        using var dir = TestPaths.Scratch();
        using var model = MriNetModel.CreateMriNet([8, 8, 8], ModelTask.Regression());
        string path = dir.File("m.x4m");
        model.Save(path);

        string flipped = dir.File("flipped.x4m");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Read))
        using (var target = ZipFile.Open(flipped, ZipArchiveMode.Create))
        {
            foreach (var entry in zip.Entries)
            {
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                byte[] bytes = ms.ToArray();
                if (entry.Name == "weights.bin")
                {
                    bytes[bytes.Length / 2] ^= 0x40;
                }
                using var o = target.CreateEntry(entry.Name).Open();
                o.Write(bytes);
            }
        }
        var e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(flipped));
        StringAssert.Contains(e.Message, "flipped.x4m: weights do not match their checksum");

        File.WriteAllText(dir.File("text.x4m"), "hello");
        e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(dir.File("text.x4m")));
        StringAssert.Contains(e.Message, "text.x4m: not a model file Xai4Mri.ML knows");
        e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(dir.File("none.x4m")));
        StringAssert.Contains(e.Message, "none.x4m: file not found");
        File.WriteAllBytes(dir.File("cut.x4m"), File.ReadAllBytes(path)[..200]);
        e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.Load(dir.File("cut.x4m")));
        StringAssert.Contains(e.Message, "cut.x4m: corrupt or truncated zip archive");
    }

    [TestMethod]
    public void SummaryListsLayersShapesAndTrainableCounts()
    {
        using var model = MriNetModel.CreateMriNet([45, 54, 45], ModelTask.Regression(40));
        string summary = model.Summary();
        StringAssert.Contains(summary, "conv3d (Conv3d)");
        StringAssert.Contains(summary, "(N, 32, 2, 2, 2)");
        StringAssert.Contains(summary, "Total params: 95,185   trainable: 95,185   frozen: 0");
        foreach (var p in model.Network.Layer(0).parameters())
        {
            p.requires_grad = false;
        }
        StringAssert.Contains(model.Summary(), "trainable: 94,737   frozen: 448");
    }

    [TestMethod]
    public void AdaptReplacesTheHeadAndKeepsTheRest()
    {
        using var source = MriNetModel.CreateMriNet([12, 14, 12], ModelTask.Regression(60), seed: 1);
        using var adapted = HeadAdapter.Adapt(source, classes: 3, classNames: ["CN", "MCI", "AD"], seed: 2);

        var head = adapted.Spec.Layers[adapted.Spec.HeadIndex];
        Assert.AreEqual(3, head.Units);
        Assert.IsFalse(head.UseBias, "classification heads have no bias (xai4mri)");
        Assert.AreEqual(LayerKind.Softmax, adapted.Spec.Layers[^1].Kind);
        CollectionAssert.AreEqual(new[] { "CN", "MCI", "AD" }, adapted.Task.ClassNames.ToArray());
        var before = source.Network.state_dict();
        foreach (var (name, tensor) in adapted.Network.state_dict())
        {
            int layer = int.Parse(name.Split('.')[1]);
            if (layer < adapted.Spec.HeadIndex)
            {
                Assert.IsTrue(tensor.allclose(before[name], 0, 0), $"{name} is kept");
            }
        }
        var p = Predict(adapted, randn(new long[] { 2, 1, 12, 14, 12 }));
        Assert.AreEqual(1f, p[0] + p[1] + p[2], 1e-5f);
        Assert.AreEqual(1, source.Spec.OutputShape[0], "the source model is unchanged");

        using var back = HeadAdapter.Adapt(adapted, classes: 0, targetBias: 71.5);
        Assert.AreEqual(71.5f, back.Network.Layer(back.Spec.HeadIndex).parameters().Last().item<float>());
        Assert.AreEqual(71.5, back.Task.TargetMean);
    }

    [TestMethod]
    public void AdaptKeepsAFittingHeadAndRejectsOneClass()
    {
        using var source = MriNetModel.CreateMriNet([12, 14, 12], ModelTask.Regression(60), seed: 1);
        using var same = HeadAdapter.Adapt(source, classes: 0, targetBias: 10);
        var x = randn(new long[] { 1, 1, 12, 14, 12 });
        CollectionAssert.AreEqual(Predict(source, x), Predict(same, x), "unchanged when the head already fits, as adapt_model");
        var e = Assert.ThrowsExactly<ArgumentException>(() => HeadAdapter.Adapt(source, classes: 1));
        StringAssert.Contains(e.Message, "classes = 0");
    }

    [TestMethod]
    public void SfcnConvHeadBecomesARegressionUnit()
    {
        using var sfcn = new MriNetModel(new NetworkModule(Architectures.Sfcn([32, 32, 32], channels: [4, 4, 4, 4, 4, 4]), seed: 3),
            ModelTask.Classification(Enumerable.Range(0, 40).Select(i => $"bin{i}")));
        using var age = HeadAdapter.Adapt(sfcn, classes: 0, targetBias: 63);
        CollectionAssert.AreEqual(new[] { 1 }, age.Spec.OutputShape);
        var y = Predict(age, randn(new long[] { 2, 1, 32, 32, 32 }));
        Assert.HasCount(2, y);
    }
}
