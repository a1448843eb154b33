using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Tests.Cli;
using Xai4Mri.ML.Tests.Transfer;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// ExplainMriNet: a known-size relevance column equal to RelevanceMaps.Compute on each row's image, unchanged by
/// ml.Model.Save/Load in this and in a fresh process, reachable from a fitted pipeline's network, and clear errors for
/// a pipeline without a network, a wrong image shape and a layer a rule cannot handle.
/// </summary>
[TestClass]
public sealed class ExplainMriNetTests
{
    private static readonly int[] Shape = TransferData.Shape;

    private static MriNetModel Network() => MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);

    private static List<float[]> Column(IDataView view, string name)
    {
        var maps = new List<float[]>();
        using var cursor = view.GetRowCursor([view.Schema[name]]);
        var get = cursor.GetGetter<VBuffer<float>>(view.Schema[name]);
        while (cursor.MoveNext())
        {
            VBuffer<float> v = default;
            get(ref v);
            maps.Add(v.DenseValues().ToArray());
        }
        return maps;
    }

    [TestMethod]
    public void EachRowGetsItsImagesMapAndTheStepSurvivesSavingInAFreshProcess()
    {
        using var dir = TestPaths.Scratch();
        var files = TransferData.Files(dir, 3, 0.6, 0.1);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(files);
        using var network = Network();
        var options = new ExplainMriNetOptions { Relevance = new RelevanceOptions { Method = RelevanceMethod.LrpEpsilonPlusFlat } };
        var fitted = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape })
            .Append(ml.Transforms.ExplainMriNet("Relevance", "Image", network, options))
            .Fit(data);
        options.Relevance = new RelevanceOptions { Method = RelevanceMethod.Gradient };
        var explained = fitted.Transform(data);
        var type = (VectorDataViewType)explained.Schema["Relevance"].Type;
        CollectionAssert.AreEqual(Shape, type.Dimensions.ToArray(), "the relevance column has the image column's shape");
        Assert.AreEqual(type, fitted.GetOutputSchema(data.Schema)["Relevance"].Type, "GetOutputSchema says what Transform gives");
        var maps = Column(explained, "Relevance");
        var images = Column(explained, "Image");
        Assert.HasCount(3, maps);
        for (int i = 0; i < maps.Count; i++)
        {
            var expected = RelevanceMaps.Compute(network, images[i], 1, new RelevanceOptions { Method = RelevanceMethod.LrpEpsilonPlusFlat })[0];
            CollectionAssert.AreEqual(expected.Values, maps[i], $"row {i}: the map RelevanceMaps computes for the row's image (options copied when the step was made)");
            Assert.IsTrue(maps[i].Any(v => v != 0), $"row {i} has relevance");
        }
        Assert.IsFalse(maps[0].SequenceEqual(maps[2]), "rows get their own maps");

        string zip = dir.File("explain.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(data);
        CollectionAssert.AreEqual(Shape, ((VectorDataViewType)loaded.Schema["Relevance"].Type).Dimensions.ToArray(), "known size after Load");
        var again = Column(loaded, "Relevance");
        for (int i = 0; i < maps.Count; i++)
        {
            CollectionAssert.AreEqual(maps[i], again[i], $"row {i} after Load");
        }

        // Another process: xai4mri predict prints a long vector as its shape and the SHA-256 of its values.
        var (header, rows) = PredictProcess.Run(zip, files.Select(f => f.Path), dir.File("cli-cache"));
        int path = Array.IndexOf(header, "Path"), relevance = Array.IndexOf(header, "Relevance");
        Assert.IsGreaterThanOrEqualTo(0, relevance, string.Join('\t', header));
        for (int i = 0; i < files.Count; i++)
        {
            string[] row = rows.Single(r => r[path] == files[i].Path);
            Assert.AreEqual($"[16x16x16] sha256={Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(maps[i].AsSpan())))}", row[relevance], files[i].Path);
        }
    }

    [TestMethod]
    public void MapsAreComputedRowByRowWithoutReadingAhead()
    {
        var ml = new MLContext(seed: 4);
        var rows = TransferData.Rows(40);
        int pulled = 0;
        IEnumerable<TransferData.Row> Source()
        {
            foreach (var row in rows)
            {
                pulled++;
                yield return row;
            }
        }
        var definition = SchemaDefinition.Create(typeof(TransferData.Row));
        definition[nameof(TransferData.Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Shape);
        var data = ml.Data.LoadFromEnumerable(Source(), definition);
        using var network = Network();
        var explained = ml.Transforms.ExplainMriNet("Relevance", "Image", network).Fit(data).Transform(data);
        Assert.HasCount(1, explained.GetRowCursorSet([explained.Schema["Relevance"]], 4), "one cursor: no worker threads reading ahead");
        using (var cursor = explained.GetRowCursor([explained.Schema["Relevance"]]))
        {
            var get = cursor.GetGetter<VBuffer<float>>(explained.Schema["Relevance"]);
            VBuffer<float> map = default;
            for (int i = 0; i < 3; i++)
            {
                Assert.IsTrue(cursor.MoveNext());
                get(ref map);
                Assert.AreEqual(i + 1, pulled, $"after {i + 1} map(s), only the rows read so far were taken from the source");
            }
            CollectionAssert.AreEqual(RelevanceMaps.Compute(network, rows[2].Image, 1).Single().Values, map.DenseValues().ToArray(), "the third row's map");
        }
    }

    [TestMethod]
    public void AFittedPipelinesNetworkIsExplainedAndOneWithoutANetworkIsNamed()
    {
        var ml = new MLContext(seed: 2);
        var data = TransferData.Load(ml, TransferData.Rows(8));
        using var pretrained = Network();
        var fitted = ml.Transforms.AdaptHead("Age", "Image", pretrained, new AdaptHeadOptions { WarmupEpochs = 2 }).Fit(data);
        var network = PipelineNetwork.Find(fitted);
        Assert.AreSame(fitted.Model, network, "the prediction transformer's network");
        var maps = Column(ml.Transforms.ExplainMriNet("Relevance", "Image", fitted).Fit(data).Transform(data), "Relevance");
        var images = Column(data, "Image");
        CollectionAssert.AreEqual(RelevanceMaps.Compute(network, images[5], 1).Single().Values, maps[5], "preset A of the adapted network");

        using var frozen = Network();
        var trees = ml.Transforms.MriNetFeaturize("Features", "Image", frozen)
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Age", featureColumnName: "Features", numberOfLeaves: 2, numberOfTrees: 2, minimumExampleCountPerLeaf: 1))
            .Fit(data);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ExplainMriNet("Relevance", "Image", trees));
        StringAssert.Contains(e.Message, "the pipeline has no network that makes its prediction: its network only computes frozen features (MriNetFeaturize, layer");
        StringAssert.Contains(e.Message, "FastTreeRegressionModelParameters");
        var plain = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ExplainMriNet("Relevance", "Image", ml.Transforms.CopyColumns("A", "Age").Fit(data)));
        StringAssert.Contains(plain.Message, "no network of Xai4Mri.ML to explain (its steps: ColumnCopyingTransformer)");
    }

    [TestMethod]
    public void BadInputIsRefusedWhenTheStepIsMadeOrFitted()
    {
        var ml = new MLContext(seed: 3);
        var data = TransferData.Load(ml, TransferData.Rows(2));
        using var small = MriNetModel.CreateMriNet([8, 8, 8], ModelTask.Regression(), seed: 1);
        var size = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ExplainMriNet("Relevance", "Image", small).Fit(data));
        StringAssert.Contains(size.Message, "image column 'Image' has 4096 values (16x16x16), the network expects 8x8x8 = 512");
        using var network = Network();
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ExplainMriNet("Relevance", "T1", network).Fit(data));
        StringAssert.Contains(missing.Message, "image column 'T1' not found");
        var same = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ExplainMriNet("Image", "Image", network));
        StringAssert.Contains(same.Message, "the relevance column must differ from the image column");
        var target = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ExplainMriNet("Relevance", "Image", network, new ExplainMriNetOptions { Relevance = new RelevanceOptions { Target = 3 } }));
        StringAssert.Contains(target.Message, "Target 3 does not exist: the network has 1 output(s)");

        using var odd = UnsupportedNetwork.ChannelSoftmax(16);
        var rule = Assert.ThrowsExactly<NotSupportedException>(() => ml.Transforms.ExplainMriNet("Relevance", "Image", odd, new ExplainMriNetOptions { Relevance = new RelevanceOptions { Method = RelevanceMethod.LrpZPlus } }));
        StringAssert.Contains(rule.Message, "layer 'channel_softmax' (Softmax)");
        StringAssert.Contains(rule.Message, "cannot propagate relevance");
        var gradient = ml.Transforms.ExplainMriNet("Relevance", "Image", odd, new ExplainMriNetOptions { Relevance = new RelevanceOptions { Method = RelevanceMethod.Gradient } }).Fit(data);
        Assert.HasCount(2, Column(gradient.Transform(data), "Relevance"), "gradients need no rule per layer");
    }
}
