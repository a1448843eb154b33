using System.Globalization;
using MathNet.Numerics.Statistics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// Adebayo et al. 2018, "Sanity checks for saliency maps", on a small CNN trained by MriNetTransfer on a synthetic
/// cohort (24 subjects, 16 mm): maps must change when the trained weights are replaced by fresh random ones from the
/// top layer down (cascading model-parameter randomisation), and when the same network is trained from the same
/// start on permuted ages (label randomisation). Similarity is Spearman's rank correlation with the original map over
/// brain voxels (the background is zero in every LRP map whatever the weights), averaged over four held-out subjects.
/// </summary>
[TestClass]
public sealed class RelevanceSanityTests
{
    private const double VoxelSize = 16;
    private const int Subjects = 24;

    private static readonly RelevanceMethod[] Methods =
    [
        RelevanceMethod.LrpPresetA, RelevanceMethod.LrpPresetB, RelevanceMethod.LrpEpsilon, RelevanceMethod.LrpEpsilonPlusFlat,
        RelevanceMethod.Gradient, RelevanceMethod.IntegratedGradients,
    ];

    private static MriNetModel _trained = null!, _randomLabels = null!;
    private static float[] _images = [];
    private static int _count;
    private static (double True, double Permuted) _fits;

    public TestContext TestContext { get; set; } = null!;

    private sealed class Row
    {
        public float[] Image { get; set; } = [];

        public float Age { get; set; }
    }

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        _ = context;
        var rows = Cohort(Subjects + 4);
        var training = rows.Take(Subjects).ToList();
        // A fixed permutation of the ages: the same images, labels that carry nothing.
        var permuted = training.Select((r, i) => new Row { Image = r.Image, Age = training[((i * 7) + 5) % Subjects].Age }).ToList();
        var ml = new MLContext(seed: 1);
        using var start = Small(training[0].Image.Length);
        _trained = Fit(ml, start, training);
        _randomLabels = Fit(ml, start, permuted);
        _fits = (Fits(_trained, training, "true ages"), Fits(_randomLabels, permuted, "permuted ages"));
        var held = rows.Skip(Subjects).ToList();
        _images = [.. held.SelectMany(r => r.Image)];
        _count = held.Count;
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _trained?.Dispose();
        _randomLabels?.Dispose();
    }

    [TestMethod]
    public void CascadingParameterRandomisationChangesTheMaps()
    {
        var spec = _trained.Spec;
        using var fresh = new NetworkModule(spec, seed: 77);
        var weighted = Enumerable.Range(0, spec.Layers.Count).Where(i => spec.Layers[i].HasWeights).Reverse().ToList();
        foreach (var method in Methods)
        {
            var options = new RelevanceOptions { Method = method };
            var original = RelevanceMaps.Compute(_trained, _images, _count, options);
            using var copy = new MriNetModel(new NetworkModule(spec), _trained.Task);
            CopyLayers(_trained.Network, copy.Network, _ => true);
            copy.Network.eval();
            Assert.AreEqual(1, Similarity(original, RelevanceMaps.Compute(copy, _images, _count, options)), 1e-9, $"{method}: an identical copy gives the same maps");
            var line = $"{method,-20} cascade (signed / absolute):";
            double afterHead = 0, afterAll = 0;
            foreach (int layer in weighted)
            {
                CopyLayers(fresh, copy.Network, i => i == layer);
                var maps = RelevanceMaps.Compute(copy, _images, _count, options);
                double signed = Similarity(original, maps), absolute = Similarity(original, maps, absolute: true);
                line += string.Create(CultureInfo.InvariantCulture, $" {spec.Layers[layer].Name} {signed:F2}/{absolute:F2}");
                afterHead = layer == weighted[0] ? signed : afterHead;
                afterAll = signed;
            }
            TestContext.WriteLine(line);
            Assert.IsLessThan(0.6, afterHead, $"{method}: randomising the head must change the maps ({line})");
            Assert.IsLessThan(0.5, afterAll, $"{method}: randomising every layer must change the maps ({line})");
        }
    }

    [TestMethod]
    public void LabelRandomisationChangesTheMaps()
    {
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fit of the training ages: r = {_fits.True:F2} (true), {_fits.Permuted:F2} (permuted)"));
        foreach (var method in Methods)
        {
            var options = new RelevanceOptions { Method = method };
            var original = RelevanceMaps.Compute(_trained, _images, _count, options);
            var permuted = RelevanceMaps.Compute(_randomLabels, _images, _count, options);
            double signed = Similarity(original, permuted), absolute = Similarity(original, permuted, absolute: true);
            TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method,-20} permuted labels (signed / absolute): {signed:F2}/{absolute:F2}"));
            Assert.IsLessThan(0.7, signed, $"{method}: a network trained on permuted ages must have other maps (Spearman {signed:F2})");
        }
    }

    /// <summary>Subjects with ages spread evenly over 20–80 (in decades), skull-stripped site-A scans at 16 mm, intensities / 1000.</summary>
    private static List<Row> Cohort(int n)
    {
        var grid = new VoxelGrid(VoxelSize, SiteProfile.SiteA.FieldOfView, "RAS");
        return [.. Enumerable.Range(0, n).Select(s =>
        {
            double age = 20 + (60.0 * ((s * 7) % Subjects) / (Subjects - 1));
            var phantom = BrainPhantom.Create(age, male: s % 2 == 0, patient: false, seed: 5, subject: s);
            var image = new SubjectScan(phantom, SiteProfile.SiteA, withSkull: false, seed: 5, subject: s).Render(grid);
            return new Row { Image = [.. image.Select(v => v / 1000f)], Age = (float)(age / 10) };
        })];
    }

    private static int[] Shape()
    {
        var grid = new VoxelGrid(VoxelSize, SiteProfile.SiteA.FieldOfView, "RAS");
        return [grid.Nz, grid.Ny, grid.Nx];
    }

    /// <summary>Two conv blocks and two dense layers: small enough to fit 24 subjects in a few seconds.</summary>
    private static MriNetModel Small(int voxels)
    {
        var layers = new List<LayerSpec>
        {
            new() { Kind = LayerKind.Conv3d, Name = "conv1", Units = 8, Kernel = [3, 3, 3], Padding = "same" },
            new() { Kind = LayerKind.Relu, Name = "relu1" },
            new() { Kind = LayerKind.MaxPool3d, Name = "pool1", Kernel = [2, 2, 2], Stride = [2, 2, 2] },
            new() { Kind = LayerKind.Conv3d, Name = "conv2", Units = 16, Kernel = [3, 3, 3], Padding = "same" },
            new() { Kind = LayerKind.Relu, Name = "relu2" },
            new() { Kind = LayerKind.MaxPool3d, Name = "pool2", Kernel = [2, 2, 2], Stride = [2, 2, 2] },
            new() { Kind = LayerKind.Flatten, Name = "flatten" },
            new() { Kind = LayerKind.Dense, Name = "dense", Units = 32 },
            new() { Kind = LayerKind.Relu, Name = "relu3" },
            new() { Kind = LayerKind.Dense, Name = "head", Units = 1 },
        };
        var spec = new NetworkSpec { Architecture = "small CNN", InputShape = [1, .. Shape()], Layers = layers };
        Assert.AreEqual(voxels, spec.InputShape.Aggregate(1, (a, b) => a * b));
        return new MriNetModel(new NetworkModule(spec, seed: 3), ModelTask.Regression(5));
    }

    private static MriNetModel Fit(MLContext ml, MriNetModel start, List<Row> rows)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Shape());
        var options = new MriNetTransferTrainer.Options
        {
            LabelColumnName = nameof(Row.Age),
            PretrainedModel = start,
            Strategy = TransferStrategy.MonoPhase,
            Epochs = 40,
            LearningRate = 3e-3,
            ValidationFraction = 0,
            EarlyStoppingPatience = 0,
            Seed = 1,
        };
        return ml.Regression.Trainers.MriNetTransfer(options).Fit(ml.Data.LoadFromEnumerable(rows, definition)).Model;
    }

    /// <summary>The checks mean something only if training moved the network: it must fit its (true or permuted) labels.</summary>
    private static double Fits(MriNetModel model, List<Row> rows, string labels)
    {
        var maps = RelevanceMaps.Compute(model, [.. rows.SelectMany(r => r.Image)], rows.Count, new RelevanceOptions { Method = RelevanceMethod.Gradient, BatchSize = rows.Count });
        double r = Correlation.Pearson(maps.Select(m => m.OutputValue), rows.Select(x => (double)x.Age));
        Assert.IsGreaterThan(0.8, r, $"the network trained on {labels} fits them (r = {r:F2})");
        return r;
    }

    private static void CopyLayers(NetworkModule from, NetworkModule to, Func<int, bool> layers)
    {
        var source = from.state_dict();
        using var _ = no_grad();
        foreach (var (name, tensor) in to.state_dict())
        {
            if (layers(int.Parse(name.Split('.')[1], CultureInfo.InvariantCulture)))
            {
                tensor.copy_(source[name]);
            }
        }
    }

    private double Similarity(IReadOnlyList<RelevanceMap> a, IReadOnlyList<RelevanceMap> b, bool absolute = false)
    {
        int voxels = a[0].Values.Length;
        double Value(float v) => absolute ? Math.Abs(v) : v;
        return Enumerable.Range(0, a.Count).Average(i =>
        {
            var brain = Enumerable.Range(0, voxels).Where(v => _images[(i * voxels) + v] != 0).ToList();
            return Correlation.Spearman(brain.Select(v => Value(a[i].Values[v])), brain.Select(v => Value(b[i].Values[v])));
        });
    }
}
