using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Tests.Cli;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>
/// ml.Transforms.MriNetFeaturize: the features are the activations TorchSharp computes for the chosen layer (pooled
/// or not), the column is a known-size vector, a LoadNifti → features → FastTree pipeline saves and scores the same
/// in this and a fresh process, and bad layers or images are reported clearly.
/// </summary>
[TestClass]
public sealed class MriNetFeaturizeTests
{
    private static readonly int[] Shape = TransferData.Shape;

    private static List<TransferData.Row> Rows(int n = 6) => TransferData.Rows(n, seed: 5);

    private static IDataView Load(MLContext ml, IEnumerable<TransferData.Row> rows) => TransferData.Load(ml, rows);

    private static MriNetModel Pretrained() => MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);

    /// <summary>The activations of <paramref name="layer"/> in TorchSharp (evaluation mode), in C-order.</summary>
    private static float[] ForwardTo(MriNetModel model, float[] image, int layer)
    {
        using var scope = NewDisposeScope();
        model.Network.eval();
        using var _ = no_grad();
        return model.Network.ForwardTo(tensor(image, [1, 1, 16, 16, 16]), layer).data<float>().ToArray();
    }

    private static List<float[]> Features(IDataView scored, string column = "Features") =>
        scored.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.AreEqual(expected[k], actual[k], 1e-4, $"{what}, feature {k}");
        }
    }

    [TestMethod]
    public void DefaultLayerIsTheOneBeforeTheHeadAndMatchesTorchSharp()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = Load(ml, rows);
        using var model = Pretrained();
        var before = model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());

        var fitted = ml.Transforms.MriNetFeaturize("Features", "Image", model).Fit(data);

        int layer = model.Spec.HeadIndex - 1;
        Assert.AreEqual(layer, fitted.LayerIndex);
        Assert.AreEqual(LayerKind.Relu, model.Spec.Layers[layer].Kind, "MRInet: Dense 64 → ReLU → head");
        Assert.AreEqual(64, fitted.FeatureCount);
        Assert.IsTrue(fitted.IsRowToRowMapper);
        var scored = fitted.Transform(data);
        var type = (VectorDataViewType)scored.Schema["Features"].Type;
        Assert.AreEqual(NumberDataViewType.Single, type.ItemType);
        Assert.IsTrue(type.IsKnownSize);
        CollectionAssert.AreEqual(new[] { 64 }, type.Dimensions.ToArray());
        var features = Features(scored);
        for (int i = 0; i < rows.Count; i++)
        {
            AssertClose(ForwardTo(model, rows[i].Image, layer), features[i], $"row {i}");
        }
        Assert.IsTrue(features.SelectMany(f => f).Any(v => v > 0), "some activations are non-zero");
        CollectionAssert.AreNotEqual(features[0], features[^1], "different images give different features");
        foreach (var (name, value) in model.Network.state_dict())
        {
            CollectionAssert.AreEqual(before[name], value.data<float>().ToArray(), $"{name}: the network is frozen");
        }
    }

    [TestMethod]
    public void ConvLayerByNameGivesItsActivationsFlatOrShaped()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(3);
        var data = Load(ml, rows);
        using var model = Pretrained();
        int layer = model.Spec.Layers.Select(l => l.Name).ToList().IndexOf("conv3d_2");
        CollectionAssert.AreEqual(new[] { 32, 4, 4, 4 }, model.Spec.Shapes()[layer]);

        var flat = ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { LayerName = "conv3d_2" }).Fit(data);
        var shaped = ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { LayerIndex = layer, Flatten = false }).Fit(data);

        Assert.AreEqual(layer, flat.LayerIndex);
        Assert.AreEqual(32 * 4 * 4 * 4, flat.FeatureCount);
        CollectionAssert.AreEqual(new[] { 32, 4, 4, 4 }, flat.FeatureShape);
        CollectionAssert.AreEqual(new[] { 2048 }, ((VectorDataViewType)flat.Transform(data).Schema["Features"].Type).Dimensions.ToArray());
        CollectionAssert.AreEqual(new[] { 32, 4, 4, 4 }, ((VectorDataViewType)shaped.Transform(data).Schema["Features"].Type).Dimensions.ToArray());
        var flatFeatures = Features(flat.Transform(data));
        var shapedFeatures = Features(shaped.Transform(data));
        for (int i = 0; i < rows.Count; i++)
        {
            float[] expected = ForwardTo(model, rows[i].Image, layer);
            AssertClose(expected, flatFeatures[i], $"row {i} flat");
            AssertClose(expected, shapedFeatures[i], $"row {i} shaped");
        }
    }

    [TestMethod]
    public void GlobalAveragePoolingAveragesEachChannelOverSpace()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(3);
        var data = Load(ml, rows);
        using var model = Pretrained();
        // conv3d_1 at 8³: 16 channels × 512 voxels.
        int layer = model.Spec.Layers.Select(l => l.Name).ToList().IndexOf("conv3d_1");

        var fitted = ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { LayerIndex = layer, GlobalAveragePool = true }).Fit(data);

        Assert.AreEqual(16, fitted.FeatureCount);
        var scored = fitted.Transform(data);
        CollectionAssert.AreEqual(new[] { 16 }, ((VectorDataViewType)scored.Schema["Features"].Type).Dimensions.ToArray());
        var features = Features(scored);
        for (int i = 0; i < rows.Count; i++)
        {
            float[] maps = ForwardTo(model, rows[i].Image, layer);
            Assert.HasCount(16 * 512, maps);
            float[] means = Enumerable.Range(0, 16).Select(c => (float)maps.AsSpan(c * 512, 512).ToArray().Average(v => (double)v)).ToArray();
            AssertClose(means, features[i], $"row {i}");
        }
        Assert.IsTrue(features[0].Distinct().Count() > 1, "channels differ");
    }

    [TestMethod]
    public void BadLayersAndImagesAreReportedClearly()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Rows(2));
        using var model = Pretrained();
        using var small = MriNetModel.CreateMriNet([8, 8, 8], ModelTask.Regression(), seed: 1);
        int last = model.Spec.Layers.Count - 1;

        var high = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.MriNetFeaturize("Features", "Image", model, last + 1));
        StringAssert.Contains(high.Message, $"layer index {last + 1} is outside the network's layers 0..{last}");
        var negative = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.MriNetFeaturize("Features", "Image", model, -1));
        StringAssert.Contains(negative.Message, $"layer index -1 is outside the network's layers 0..{last}");
        var name = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { LayerName = "conv9" }));
        StringAssert.Contains(name.Message, "the network has no layer 'conv9'; its layers are conv3d, re_lu, max_pooling3d, conv3d_1");
        var both = Assert.ThrowsExactly<ArgumentException>(() =>
            ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { LayerIndex = 0, LayerName = "conv3d" }));
        StringAssert.Contains(both.Message, "set LayerIndex or LayerName, not both");
        var pool = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Transforms.MriNetFeaturize("Features", "Image", model, new MriNetFeaturizeOptions { GlobalAveragePool = true }));
        StringAssert.Contains(pool.Message, "GlobalAveragePool needs a layer with (C, D, H, W) activations");
        var same = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.MriNetFeaturize("Image", "Image", model));
        StringAssert.Contains(same.Message, "the feature column must differ from the image column");

        var size = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.MriNetFeaturize("Features", "Image", small).Fit(data));
        StringAssert.Contains(size.Message, "image column 'Image' has 4096 values (16x16x16), the network expects 8x8x8 = 512");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.MriNetFeaturize("Features", "T1", model).Fit(data));
        StringAssert.Contains(missing.Message, "image column 'T1' not found");
        var imageShape = new SchemaShape([MLNetInternals.SchemaColumn("Image", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single)]);
        var column = ml.Transforms.MriNetFeaturize("Features", "Image", model).GetOutputSchema(imageShape).Single(c => c.Name == "Features");
        Assert.IsTrue(column.Kind == SchemaShape.Column.VectorKind.Vector && column.ItemType == NumberDataViewType.Single);
        var noImage = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.MriNetFeaturize("Features", "T1", model).GetOutputSchema(imageShape));
        StringAssert.Contains(noImage.Message, "image column 'T1' (a known-size vector of Single) not found");
    }

    [TestMethod]
    public void LoadNiftiThenFeaturesThenFastTreeSavesAndScoresIdenticallyInAFreshProcess()
    {
        using var dir = TestPaths.Scratch();
        var files = TransferData.Files(dir, 8, 0.6, 0.05);
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(files);
        using var pretrained = Pretrained();
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape })
            .Append(ml.Transforms.MriNetFeaturize("Features", "Image", pretrained))
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Features", numberOfLeaves: 2, numberOfTrees: 10, minimumExampleCountPerLeaf: 1));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        var scores = ml.Data.CreateEnumerable<TransferData.Scored>(scored, reuseRowObject: false).ToDictionary(r => r.Path, r => r.Score);
        Assert.IsTrue(scores.Values.Distinct().Count() > 1, "the trees use the features");
        var features = Features(scored);
        string zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);

        var loaded = ml.Model.Load(zip, out _).Transform(data);
        CollectionAssert.AreEqual(new[] { 64 }, ((VectorDataViewType)loaded.Schema["Features"].Type).Dimensions.ToArray());
        var loadedFeatures = Features(loaded);
        for (int i = 0; i < files.Count; i++)
        {
            CollectionAssert.AreEqual(features[i], loadedFeatures[i], $"row {i} features after Load");
        }
        foreach (var row in ml.Data.CreateEnumerable<TransferData.Scored>(loaded, reuseRowObject: false))
        {
            Assert.AreEqual(scores[row.Path], row.Score, $"{row.Path} after Load");
        }
        // A featurizer holds a truncated network: it must not be recovered as a predicting model.
        StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.FromModelZip(zip)).Message, "holds no Xai4Mri.ML network");

        var header = PredictProcess.AssertSameScores(zip, scores, dir.File("cli-cache"));
        Assert.Contains("Features", header);
    }

}
