using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Tests.Cli;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>
/// ml.Transforms.AdaptHead: the label column decides the head; the transformer's columns agree with the network run
/// in TorchSharp and satisfy ML.NET's evaluators; warm-up trains the head only; saved models score the same.
/// </summary>
[TestClass]
public sealed class AdaptHeadTests
{
    private static readonly int[] Shape = TransferData.Shape;

    private static List<TransferData.Row> Rows(int n = 20) => TransferData.Rows(n);

    private static IDataView Load(MLContext ml, IEnumerable<TransferData.Row> rows) => TransferData.Load(ml, rows);

    private static MriNetModel Pretrained(int classes = 3) =>
        MriNetModel.CreateMriNet(Shape, classes == 0 ? ModelTask.Regression(10) : ModelTask.Classification(Enumerable.Range(0, classes).Select(i => $"c{i}")), seed: 11);

    private static float[] Forward(MriNetModel model, float[] image)
    {
        using var scope = NewDisposeScope();
        model.Network.eval();
        using var _ = no_grad();
        return model.Network.forward(tensor(image, [1, 1, 16, 16, 16])).data<float>().ToArray();
    }

    [TestMethod]
    public void SingleLabelGivesARegressionHeadWithTheLabelMeanAsBias()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = Load(ml, rows);
        using var pretrained = Pretrained(3);

        var fitted = ml.Transforms.AdaptHead("Age", "Image", pretrained).Fit(data);

        double mean = rows.Average(r => (double)r.Age);
        Assert.AreEqual(LabelKind.Regression, fitted.Kind);
        Assert.IsFalse(fitted.Model.Task.IsClassification);
        Assert.AreEqual(mean, fitted.Model.Task.TargetMean!.Value, 1e-9);
        Assert.AreEqual("Age", fitted.Model.Task.TargetName);
        var head = fitted.Model.Network.Layer(fitted.Model.Spec.HeadIndex).parameters().ToList();
        Assert.AreEqual(mean, head[1].ToDouble(), 1e-5);
        Assert.AreEqual(1, fitted.Model.Spec.OutputShape[0]);

        var scored = fitted.Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type);
        var scores = scored.GetColumn<float>("Score").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(Forward(fitted.Model, rows[i].Image)[0], scores[i], 1e-4, $"row {i}: ONNX Runtime vs TorchSharp");
        }
        var metrics = ml.Regression.Evaluate(scored, labelColumnName: "Age");
        Assert.AreEqual(rows.Zip(scores).Average(p => Math.Abs(p.First.Age - p.Second)), metrics.MeanAbsoluteError, 1e-3);
        Assert.IsEmpty(fitted.History.Epochs, "no warm-up asked");
    }

    [TestMethod]
    public void KeyLabelGivesAClassHeadWithTheKeyNames()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(Load(ml, rows)).Transform(Load(ml, rows));
        using var pretrained = Pretrained(0);

        var fitted = ml.Transforms.AdaptHead("Label", "Image", pretrained, new AdaptHeadOptions { Seed = 4 }).Fit(data);

        // MapValueToKey numbers values in order of appearance: young, middle, old.
        CollectionAssert.AreEqual(new[] { "young", "middle", "old" }, fitted.Model.Task.ClassNames.ToArray());
        Assert.AreEqual(LabelKind.MulticlassClassification, fitted.Kind);
        Assert.AreEqual(LayerKind.Softmax, fitted.Model.Spec.Layers[^1].Kind);
        Assert.IsFalse(fitted.Model.Spec.Layers[fitted.Model.Spec.HeadIndex].UseBias, "xai4mri: softmax head without bias");

        var scored = fitted.Transform(data);
        var scoreType = (VectorDataViewType)scored.Schema["Score"].Type;
        Assert.AreEqual(3, scoreType.Size);
        Assert.IsInstanceOfType<KeyDataViewType>(scored.Schema["PredictedLabel"].Type);
        var named = ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(scored).Transform(scored);
        var scores = named.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToList();
        var names = named.GetColumn<string>("PredictedName").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            float[] expected = Forward(fitted.Model, rows[i].Image);
            for (int k = 0; k < 3; k++)
            {
                Assert.AreEqual(expected[k], scores[i][k], 1e-5, $"row {i} class {k}");
            }
            Assert.AreEqual(fitted.Model.Task.ClassNames[Array.IndexOf(scores[i], scores[i].Max())], names[i]);
        }
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Label");
        Assert.HasCount(3, metrics.PerClassLogLoss);
        // By hand from the rows' groups (keys 1-3 in order of appearance) and the scored rows: the evaluator derives its
        // predictions from the Score vector, so its accuracies and confusion matrix equal PredictedLabel's only if the
        // two agree; its log-loss is that of Score read as class probabilities.
        var keys = rows.Select(r => (uint)Array.IndexOf(["young", "middle", "old"], r.Group) + 1).ToList();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToList();
        Assert.AreEqual(HandMetrics.Accuracy(keys, predicted), metrics.MicroAccuracy, 1e-12);
        Assert.AreEqual(HandMetrics.MacroAccuracy(keys, predicted), metrics.MacroAccuracy, 1e-12);
        var confusion = HandMetrics.Confusion(keys, predicted, 3);
        for (int label = 0; label < 3; label++)
        {
            CollectionAssert.AreEqual(confusion[label], metrics.ConfusionMatrix.Counts[label].ToArray(), $"confusion row {label}");
        }
        Assert.AreEqual(HandMetrics.LogLoss(keys, scores), metrics.LogLoss, 1e-6);
    }

    [TestMethod]
    public void BooleanLabelGivesTwoClassesWithProbabilityAndLogOdds()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = Load(ml, rows);
        using var pretrained = Pretrained(0);

        var fitted = ml.Transforms.AdaptHead("Patient", "Image", pretrained).Fit(data);

        CollectionAssert.AreEqual(new[] { "False", "True" }, fitted.Model.Task.ClassNames.ToArray());
        var scored = fitted.Transform(data);
        var score = scored.GetColumn<float>("Score").ToList();
        var probability = scored.GetColumn<float>("Probability").ToList();
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            float[] p = Forward(fitted.Model, rows[i].Image);
            Assert.AreEqual(p[1], probability[i], 1e-5);
            Assert.AreEqual(Math.Log(p[1] / p[0]), score[i], 1e-3);
            Assert.AreEqual(p[1] > p[0], predicted[i]);
        }
        var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: "Patient");
        // By hand from the rows' labels and the scored rows: AUC from the ranking of Score; accuracy from PredictedLabel
        // (the evaluator derives its predictions from the scores, so the columns must agree); log-loss in bits from
        // Probability.
        var labels = rows.Select(r => r.Patient).ToList();
        Assert.AreEqual(HandMetrics.Auc(score, labels), metrics.AreaUnderRocCurve, 1e-12);
        Assert.AreEqual(HandMetrics.Accuracy(labels, predicted), metrics.Accuracy, 1e-12);
        Assert.AreEqual(labels.Zip(probability).Average(p => -Math.Log2(p.First ? p.Second : 1 - p.Second)), metrics.LogLoss, 1e-6);
    }

    [TestMethod]
    public void WarmUpTrainsOnlyTheHeadAndLowersItsLoss()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(24);
        var data = Load(ml, rows);
        using var pretrained = Pretrained(3);
        var before = pretrained.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());

        var fitted = ml.Transforms.AdaptHead("Age", "Image", pretrained, new AdaptHeadOptions { WarmupEpochs = 40, LearningRate = 0.05, BatchSize = 8 }).Fit(data);

        var epochs = fitted.History.Epochs;
        Assert.HasCount(40, epochs);
        Assert.IsLessThan(0.7 * epochs[0].TrainLoss, epochs[^1].TrainLoss, $"loss {epochs[0].TrainLoss} → {epochs[^1].TrainLoss}");
        Assert.IsTrue(epochs.All(e => e.PhaseName == "head only" && e.MetricName == "MAE"));
        int head = fitted.Model.Spec.HeadIndex;
        foreach (var (name, value) in fitted.Model.Network.state_dict())
        {
            int layer = int.Parse(name.Split('.')[1], CultureInfo.InvariantCulture);
            if (layer < head)
            {
                CollectionAssert.AreEqual(before[name], value.data<float>().ToArray(), $"{name} must stay frozen");
            }
        }
        Assert.AreNotEqual(rows.Average(r => (double)r.Age), fitted.Model.Network.Layer(head).parameters().Last().ToDouble(), 1e-3, "the head's bias moved");
        // The pretrained model is not changed by adaptation.
        CollectionAssert.AreEqual(before[$"layers.{head}.weight"], pretrained.Network.state_dict()[$"layers.{head}.weight"].data<float>().ToArray());
    }

    [TestMethod]
    public void WarmUpIsDeterministicGivenTheSeed()
    {
        float[] Run()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(12);
            using var pretrained = Pretrained(0);
            var data = ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(Load(ml, rows)).Transform(Load(ml, rows));
            var fitted = ml.Transforms.AdaptHead("Label", "Image", pretrained, new AdaptHeadOptions { WarmupEpochs = 5, Seed = 3, BatchSize = 4 }).Fit(data);
            return fitted.Model.Network.Layer(fitted.Model.Spec.HeadIndex).parameters().First().data<float>().ToArray();
        }

        CollectionAssert.AreEqual(Run(), Run());
    }

    [TestMethod]
    public void BadColumnsAreReportedByName()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Rows(4));
        using var pretrained = Pretrained(0);
        using var other = MriNetModel.CreateMriNet([8, 8, 8], ModelTask.Regression(), seed: 1);

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Sex", "Image", pretrained).Fit(data));
        StringAssert.Contains(missing.Message, "label column 'Sex' not found");
        var text = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Group", "Image", pretrained).Fit(data));
        StringAssert.Contains(text.Message, "label column 'Group' is String; use Single for regression, Boolean for two classes, or a key");
        var size = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Age", "Image", other).Fit(data));
        StringAssert.Contains(size.Message, "image column 'Image' has 4096 values (16x16x16), the network expects 8x8x8 = 512");
        var image = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Age", "T1", pretrained).Fit(data));
        StringAssert.Contains(image.Message, "image column 'T1' not found");
        var oneClass = ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(Load(ml, Rows(1))).Transform(Load(ml, Rows(1)));
        var single = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Label", "Image", pretrained).Fit(oneClass));
        StringAssert.Contains(single.Message, "has 1 class; classification needs at least two");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AdaptHead("Age", "Image", pretrained, new AdaptHeadOptions { WarmupEpochs = -1 }));
    }

    [TestMethod]
    public void SavedModelScoresTheSameAndGivesTheNetworkBack()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(Load(ml, rows)).Transform(Load(ml, rows));
        using var pretrained = Pretrained(0);
        var fitted = ml.Transforms.AdaptHead("Label", "Image", HeadAdapter.Adapt(pretrained, 0, learningRate: 2e-4)).Fit(data);
        var before = fitted.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToList();

        string zip = dir.File("adapted.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out _);
        var after = loaded.Transform(data);
        Assert.IsInstanceOfType<KeyDataViewType>(after.Schema["PredictedLabel"].Type);
        var afterScores = after.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(before[i], afterScores[i], $"row {i}");
        }
        VBuffer<ReadOnlyMemory<char>> keyNames = default;
        after.Schema["PredictedLabel"].GetKeyValues(ref keyNames);
        CollectionAssert.AreEqual(new[] { "young", "middle", "old" }, keyNames.DenseValues().Select(v => v.ToString()).ToArray());

        using var recovered = MriNetModel.FromModelZip(zip);
        CollectionAssert.AreEqual(fitted.Model.Task.ClassNames.ToArray(), recovered.Task.ClassNames.ToArray());
        Assert.AreEqual(2e-4, recovered.LearningRate);
        Assert.AreEqual(fitted.Model.Spec.ToJson(), recovered.Spec.ToJson());
        foreach (var (name, value) in fitted.Model.Network.state_dict())
        {
            CollectionAssert.AreEqual(value.data<float>().ToArray(), recovered.Network.state_dict()[name].data<float>().ToArray(), name);
        }
    }

    [TestMethod]
    public void FromModelZipRejectsAModelWithoutANetwork()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Rows(4));
        string zip = dir.File("plain.zip");
        ml.Model.Save(ml.Transforms.CopyColumns("Copy", "Age").Fit(data), data.Schema, zip);

        var e = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.FromModelZip(zip));
        StringAssert.Contains(e.Message, "holds no Xai4Mri.ML network");
        var missing = Assert.ThrowsExactly<ModelFormatException>(() => MriNetModel.FromModelZip(dir.File("nope.zip")));
        StringAssert.Contains(missing.Message, "file not found");
    }

    [TestMethod]
    public void LoadNiftiThenAdaptHeadScoresIdenticallyInAFreshProcess()
    {
        using var dir = TestPaths.Scratch();
        var files = TransferData.Files(dir, 6, 0.7, 0.05);
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(files);
        var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape });
        using var pretrained = Pretrained(2);
        var model = loader.Append(ml.Transforms.AdaptHead("Age", "Image", pretrained, new AdaptHeadOptions { WarmupEpochs = 3 })).Fit(data);
        var scores = ml.Data.CreateEnumerable<TransferData.Scored>(model.Transform(data), reuseRowObject: false).ToDictionary(r => r.Path, r => r.Score);
        string zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);

        PredictProcess.AssertSameScores(zip, scores, dir.File("cli-cache"));
    }

}
