using Lanes = System.Numerics.Vector<double>;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// The transferability part of the analysis: features of the pretrained network on the new data (the penultimate
/// layer, and the channel means of the last convolutional block), their LogME, and cross-validated probes (ridge and
/// FastTree) on them and on raw image features (block means of the voxels) — the gain of pretrained over raw features
/// is the signal that transfer has something to build on.
/// </summary>
internal static class Transferability
{
    private static readonly double[] RidgeScales = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];

    /// <summary>Computes the report for <paramref name="labelColumnName"/> of <paramref name="data"/>.</summary>
    /// <param name="ml">The context (FastTree runs in it).</param>
    /// <param name="model">The pretrained model; it is not changed.</param>
    /// <param name="data">Rows with the conformed image column and the label.</param>
    /// <param name="labelColumnName">Single (regression), Boolean or key (classes).</param>
    /// <param name="options">Folds, seed, raw feature size.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or too few rows for the folds.</exception>
    public static TransferabilityReport Compute(MLContext ml, MriNetModel model, IDataView data, string labelColumnName, TransferabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TransferabilityOptions();
        var label = LabelColumn.Inspect(data.Schema, labelColumnName);
        return Compute(ml, Extract(model, data, options, label, null, ComputeDevice.Select(ml)), label, options);
    }

    /// <summary>
    /// One pass through the network over <paramref name="data"/>: penultimate features, channel means of the last
    /// spatial layer, raw block means, targets, a bounded sample of each image's non-zero voxels for the intensity
    /// histograms, and (with <paramref name="groupColumn"/>) each row's group.
    /// </summary>
    internal static AnalysisFeatures Extract(MriNetModel model, IDataView data, TransferabilityOptions options, LabelColumn label, string? groupColumn, Device device)
    {
        if (options.Folds < 2 || options.RawBlockSize < 1 || options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Transferability needs Folds >= 2, RawBlockSize >= 1 and BatchSize >= 1");
        }
        NetworkInput.Check(data.Schema, options.ImageColumnName, model.InputShape, nameof(data));
        var spec = model.Spec;
        int penultimate = spec.PenultimateIndex;
        int earlierLayer = LastSpatialLayer(spec, penultimate);
        int[] input = model.InputShape;
        int voxels = input.Aggregate(1, (a, b) => a * b);
        var shapes = spec.Shapes();
        var deep = new List<float[]>();
        var earlier = new List<float[]>();
        var raw = new List<float[]>();
        var targets = new List<float>();
        var groups = new List<string>();
        var samples = new List<float[]>();
        bool training = model.Network.training;
        model.Network.eval();
        model.Network.to(device);
        try
        {
            using var _ = no_grad();
            foreach (var batch in ImageBatches.Read(data, options.ImageColumnName, label, options.BatchSize, voxels, groupColumn))
            {
                using var scope = NewDisposeScope();
                var x = OwnedTensor.From(batch.Images, [batch.Count, .. spec.InputShape.Select(d => (long)d)]).to(device);
                var mid = earlierLayer >= 0 ? model.Network.ForwardTo(x, earlierLayer) : x;
                var pooled = earlierLayer >= 0 ? mid.mean([2, 3, 4]).cpu().data<float>().ToArray() : [];
                var top = model.Network.ForwardTo(x, penultimate).reshape(batch.Count, -1).cpu().data<float>().ToArray();
                int c = earlierLayer >= 0 ? shapes[earlierLayer][0] : 0;
                int f = top.Length / batch.Count;
                for (int i = 0; i < batch.Count; i++)
                {
                    var image = batch.Images.AsSpan(i * voxels, voxels);
                    deep.Add(top.AsSpan(i * f, f).ToArray());
                    earlier.Add(c == 0 ? [0f] : pooled.AsSpan(i * c, c).ToArray());
                    raw.Add(BlockMeans(image, input, options.RawBlockSize));
                    targets.Add(batch.Targets[i]);
                    samples.Add(NonZeroSample(image, IntensitySampleSize));
                    if (groupColumn is not null)
                    {
                        groups.Add(batch.Groups![i]);
                    }
                }
                options.Progress?.Report($"features: {targets.Count} images");
            }
        }
        finally
        {
            model.Network.to(CPU);
            model.Network.train(training);
        }
        return new AnalysisFeatures([.. deep], [.. earlier], [.. raw], [.. targets], [.. groups], samples, penultimate);
    }

    // Enough voxels per image for a 64-bin histogram, few enough that a 2 mm cohort of hundreds stays small.
    private const int IntensitySampleSize = 20_000;

    /// <summary>Every k-th non-zero finite voxel, k chosen so that at most about <paramref name="size"/> are kept.</summary>
    private static float[] NonZeroSample(ReadOnlySpan<float> image, int size)
    {
        int stride = Math.Max(1, image.Length / size);
        var kept = new List<float>(Math.Min(size + 1, image.Length));
        for (int i = 0; i < image.Length; i += stride)
        {
            if (image[i] != 0 && float.IsFinite(image[i]))
            {
                kept.Add(image[i]);
            }
        }
        return [.. kept];
    }

    /// <summary>LogME and the probes on features extracted before.</summary>
    internal static TransferabilityReport Compute(MLContext ml, AnalysisFeatures features, LabelColumn label, TransferabilityOptions options)
    {
        var targets = features.Targets;
        int n = targets.Length;
        if (n < options.Folds * 2)
        {
            throw new ArgumentOutOfRangeException(nameof(features), $"{n} labelled rows are too few for {options.Folds}-fold probes (need at least {options.Folds * 2})");
        }
        options.Progress?.Report($"features: penultimate {features.Penultimate[0].Length}, earlier {features.Earlier[0].Length}, raw {features.Raw[0].Length} per image, {n} images");

        bool regression = label.Kind == LabelKind.Regression;
        int classes = regression ? 0 : label.ClassNames.Count;
        var sets = new (string Name, float[][] X)[] { (PenultimateName, features.Penultimate), ("earlier layer (channel means)", features.Earlier), (RawName, features.Raw) };
        var logMe = new Dictionary<string, double>();
        foreach (var (name, x) in sets)
        {
            logMe[name] = Finite(x) && Varies(x)
                ? regression ? LogMe.Regression(x, targets) : LogMe.Classification(x, targets.Select(t => (int)t).ToArray(), classes)
                : double.NegativeInfinity;
        }
        var hScore = new Dictionary<string, double>();
        int hScoreBins = regression ? HScore.DefaultRegressionBins : 0;
        // Classes score their own labels; a regression label its quantile bins (none when ties leave a single bin).
        int[] hLabels = regression
            ? QuantileBins.TryAssign([.. targets.Select(t => (double)t)], hScoreBins, out int[] binned) ? binned : []
            : [.. targets.Select(t => (int)t)];
        foreach (var (name, x) in sets)
        {
            if (hLabels.Length == n && Finite(x) && AnyColumnVaries(x))
            {
                hScore[name] = HScore.Classification(x, hLabels, regression ? hLabels.Max() + 1 : classes);
            }
        }
        int[] fold = Folds(n, options.Folds, options.Seed);
        var probes = new List<ProbeScore>();
        foreach (var (name, x) in sets)
        {
            probes.Add(Summarise(name, "ridge", regression, x[0].Length, Enumerable.Range(0, options.Folds).Select(f => Ridge(x, targets, fold, f, regression, classes)).ToList()));
            probes.Add(Summarise(name, "FastTree", regression, x[0].Length, Enumerable.Range(0, options.Folds).Select(f => Tree(ml, x, targets, fold, f, regression, options.Seed)).ToList()));
            options.Progress?.Report($"probes on {name} done");
        }
        var pretrained = probes.Where(p => p.Features != RawName);
        var rawProbes = probes.Where(p => p.Features == RawName);
        var bestPretrained = regression ? pretrained.MinBy(p => p.Mean)! : pretrained.MaxBy(p => p.Mean)!;
        var bestRaw = regression ? rawProbes.MinBy(p => p.Mean)! : rawProbes.MaxBy(p => p.Mean)!;
        double gain = regression ? (bestRaw.Mean - bestPretrained.Mean) / bestRaw.Mean : bestPretrained.Mean - bestRaw.Mean;
        double chance = Enumerable.Range(0, options.Folds).Select(f => Chance(targets, fold, f, regression, classes)).Average();
        return new TransferabilityReport(logMe, probes, bestPretrained, bestRaw, gain, chance) { HScore = hScore, HScoreBins = hScoreBins };
    }

    /// <summary>
    /// The ridge probe on the penultimate and on the raw features when trained on fewer subjects: for each size, the
    /// same folds as the probes, with the training rows of each fold cut to a seeded random subset.
    /// </summary>
    internal static IReadOnlyList<LearningCurvePoint> LearningCurve(AnalysisFeatures features, LabelColumn label, TransferabilityOptions options)
    {
        var targets = features.Targets;
        int n = targets.Length;
        bool regression = label.Kind == LabelKind.Regression;
        int classes = regression ? 0 : label.ClassNames.Count;
        int[] fold = Folds(n, options.Folds, options.Seed);
        int fullTraining = n - (n / options.Folds);
        int[] sizes = [.. new[] { 0.25, 0.5, 0.75, 1.0 }.Select(f => (int)Math.Round(f * fullTraining)).Where(m => m >= Math.Max(4, classes * 2)).Distinct()];
        var points = new List<LearningCurvePoint>();
        foreach (var (name, x) in new[] { (PenultimateName, features.Penultimate), (RawName, features.Raw) })
        {
            foreach (int size in sizes)
            {
                var scores = new List<double>();
                // Three random subsets per fold below the full size: one subset's luck (and its penalty choice) swings the score.
                int repeats = size < fullTraining ? 3 : 1;
                for (int f = 0; f < options.Folds; f++)
                {
                    var repeated = new List<double>();
                    for (int r = 0; r < repeats; r++)
                    {
                        var subset = (int[])fold.Clone();
                        var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
                        new SplitRandom(options.Seed + (size * 7) + r).Shuffle(train);
                        foreach (int i in train.Skip(size))
                        {
                            subset[i] = -1;
                        }
                        repeated.Add(Ridge(x, targets, subset, f, regression, classes));
                    }
                    scores.Add(repeated.Average());
                }
                double mean = scores.Average();
                points.Add(new LearningCurvePoint(size, name, mean, Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / Math.Max(1, scores.Count - 1))));
            }
        }
        return points;
    }

    /// <summary>Names of the feature sets in <see cref="ProbeScore.Features"/>.</summary>
    internal const string PenultimateName = "penultimate layer";

    /// <summary>The raw feature set's name.</summary>
    internal const string RawName = "raw image (block means)";

    /// <summary>The last layer before <paramref name="before"/> whose output still has spatial axes (C, D, H, W).</summary>
    private static int LastSpatialLayer(NetworkSpec spec, int before)
    {
        var shapes = spec.Shapes();
        for (int i = before; i >= 0; i--)
        {
            if (shapes[i].Length == 4)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Means over cubes of <paramref name="block"/>³ voxels (partial cubes at the far edges count what they hold).</summary>
    internal static float[] BlockMeans(ReadOnlySpan<float> image, int[] shape, int block)
    {
        int[] outer = [.. shape.Select(s => (s + block - 1) / block)];
        var sums = new double[outer[0] * outer[1] * outer[2]];
        var counts = new int[sums.Length];
        for (int z = 0; z < shape[0]; z++)
        {
            for (int y = 0; y < shape[1]; y++)
            {
                for (int x = 0; x < shape[2]; x++)
                {
                    int cell = ((((z / block) * outer[1]) + (y / block)) * outer[2]) + (x / block);
                    sums[cell] += image[(((z * shape[1]) + y) * shape[2]) + x];
                    counts[cell]++;
                }
            }
        }
        return [.. sums.Select((s, i) => (float)(s / counts[i]))];
    }

    private static int[] Folds(int n, int folds, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new SplitRandom(seed).Shuffle(order);
        var fold = new int[n];
        for (int i = 0; i < n; i++)
        {
            fold[order[i]] = i % folds;
        }
        return fold;
    }

    /// <summary>
    /// Kernel ridge regression with a linear kernel on standardised features (one-hot targets for classes, arg-max to
    /// predict). The penalty is chosen per fold by an inner 5-fold cross-validation on the training rows (MAE for
    /// regression, squared error of the one-hot scores for classes). Leave-one-out, exact and cheaper, chose the
    /// smallest penalty whenever there were fewer subjects than independent features — it rewards interpolating
    /// the training rows — and the held-out error then doubled (docs/analysis.md).
    /// </summary>
    internal static double Ridge(float[][] x, float[] targets, int[] fold, int test, bool regression, int classes)
    {
        // Rows of fold −1 take part in neither (the learning curve leaves them out).
        var train = Enumerable.Range(0, x.Length).Where(i => fold[i] != test && fold[i] >= 0).ToArray();
        var held = Enumerable.Range(0, x.Length).Where(i => fold[i] == test).ToArray();
        int k = regression ? 1 : classes;
        int innerFolds = Math.Min(5, train.Length);
        var errors = new double[RidgeScales.Length];
        for (int inner = 0; inner < innerFolds; inner++)
        {
            // The training rows are in row order and the outer folds random, so position modulo k is a fair split.
            int[] fit = [.. train.Where((_, i) => i % innerFolds != inner)];
            int[] check = [.. train.Where((_, i) => i % innerFolds == inner)];
            var predicted = new KernelRidge(x, targets, fit, regression, k).Predict(x, check, RidgeScales);
            for (int p = 0; p < RidgeScales.Length; p++)
            {
                for (int r = 0; r < check.Length; r++)
                {
                    errors[p] += regression
                        ? Math.Abs(predicted[p][r, 0] - targets[check[r]])
                        : Enumerable.Range(0, k).Sum(c => Math.Pow(predicted[p][r, c] - ((int)targets[check[r]] == c ? 1 : 0), 2));
                }
            }
        }
        double penalty = RidgeScales[Array.IndexOf(errors, errors.Min())];
        var scores = new KernelRidge(x, targets, train, regression, k).Predict(x, held, [penalty])[0];
        if (regression)
        {
            return Enumerable.Range(0, held.Length).Average(r => Math.Abs(scores[r, 0] - targets[held[r]]));
        }
        int[] chosen = [.. Enumerable.Range(0, held.Length).Select(r => Enumerable.Range(0, k).MaxBy(c => scores[r, c]))];
        return BalancedAccuracy([.. held.Select(i => (int)targets[i])], chosen);
    }

    /// <summary>
    /// Kernel ridge fitted on some rows, for any penalty from one eigendecomposition of the Gram matrix. Features are
    /// standardised on the fitted rows; values of other rows are clamped to the fitted rows' range first, because a
    /// ReLU unit (or an edge voxel block) that fired in one subject has a tiny spread, and a new subject where it
    /// fires would be standardised to hundreds of sds and swamp the prediction.
    /// </summary>
    /// <remarks>
    /// The probes fit thousands of these on up to ~11,000 raw features, so the cost is in the kernels: standardised
    /// rows are kept as flat arrays, the Gram and cross kernels are SIMD dot products (the Gram's upper half only),
    /// and <see cref="Predict"/> projects the cross kernel on the eigenvectors once for all penalties.
    /// </remarks>
    private sealed class KernelRidge
    {
        private readonly double[] _mean, _sd, _low, _high, _eigenvalues, _targetMean;
        private readonly double[][] _standardised;
        private readonly Matrix<double> _eigenvectors, _projectedTargets;
        private readonly double _scale;

        public KernelRidge(float[][] x, float[] targets, int[] rows, bool regression, int k)
        {
            int d = x[0].Length;
            int m = rows.Length;
            (_mean, _sd, _low, _high) = (new double[d], new double[d], new double[d], new double[d]);
            Array.Fill(_low, double.PositiveInfinity);
            Array.Fill(_high, double.NegativeInfinity);
            foreach (int i in rows)
            {
                var row = x[i];
                for (int j = 0; j < d; j++)
                {
                    double v = row[j];
                    _mean[j] += v;
                    _low[j] = Math.Min(_low[j], v);
                    _high[j] = Math.Max(_high[j], v);
                }
            }
            var squares = new double[d];
            for (int j = 0; j < d; j++)
            {
                _mean[j] /= m;
            }
            foreach (int i in rows)
            {
                var row = x[i];
                for (int j = 0; j < d; j++)
                {
                    double c = row[j] - _mean[j];
                    squares[j] += c * c;
                }
            }
            for (int j = 0; j < d; j++)
            {
                double variance = squares[j] / m;
                _sd[j] = variance > 1e-24 ? Math.Sqrt(variance) : 1;
            }
            _standardised = Standardise(x, rows);
            var gram = Matrix<double>.Build.Dense(m, m);
            for (int r = 0; r < m; r++)
            {
                for (int c = r; c < m; c++)
                {
                    double dot = Dot(_standardised[r], _standardised[c]);
                    gram[r, c] = dot;
                    gram[c, r] = dot;
                }
            }
            var y = Matrix<double>.Build.Dense(m, k, (r, c) => regression ? targets[rows[r]] : (int)targets[rows[r]] == c ? 1 : 0);
            _targetMean = [.. Enumerable.Range(0, k).Select(c => y.Column(c).Average())];
            var centred = Matrix<double>.Build.Dense(m, k, (r, c) => y[r, c] - _targetMean[c]);
            var evd = gram.Evd(Symmetricity.Symmetric);
            _eigenvectors = evd.EigenVectors;
            _eigenvalues = [.. evd.EigenValues.Select(z => Math.Max(0, z.Real))];
            // Penalties are relative to the mean eigenvalue, so one grid fits features of any number and scale.
            _scale = Math.Max(1e-12, _eigenvalues.Sum() / m);
            _projectedTargets = _eigenvectors.Transpose() * centred;
        }

        /// <summary>
        /// Scores (rows × k, target means added back) of <paramref name="rows"/>, one matrix per penalty of
        /// <paramref name="relativePenalties"/> (each × the mean eigenvalue).
        /// </summary>
        public Matrix<double>[] Predict(float[][] x, int[] rows, double[] relativePenalties)
        {
            var standardised = Standardise(x, rows);
            var cross = Matrix<double>.Build.Dense(rows.Length, _standardised.Length, (r, c) => Dot(standardised[r], _standardised[c]));
            var projected = cross * _eigenvectors;
            int k = _targetMean.Length;
            return [.. relativePenalties.Select(penalty =>
            {
                double lambda = penalty * _scale;
                var weights = Matrix<double>.Build.Dense(_eigenvalues.Length, k, (r, c) => _projectedTargets[r, c] / (_eigenvalues[r] + lambda));
                var scores = projected * weights;
                return Matrix<double>.Build.Dense(rows.Length, k, (r, c) => scores[r, c] + _targetMean[c]);
            })];
        }

        private double[][] Standardise(float[][] x, int[] rows)
        {
            var result = new double[rows.Length][];
            for (int r = 0; r < rows.Length; r++)
            {
                var row = x[rows[r]];
                var z = new double[row.Length];
                for (int j = 0; j < z.Length; j++)
                {
                    z[j] = (Math.Clamp(row[j], _low[j], _high[j]) - _mean[j]) / _sd[j];
                }
                result[r] = z;
            }
            return result;
        }

        private static double Dot(double[] a, double[] b)
        {
            var sum = Lanes.Zero;
            int j = 0;
            for (; j <= a.Length - Lanes.Count; j += Lanes.Count)
            {
                sum += new Lanes(a, j) * new Lanes(b, j);
            }
            double dot = System.Numerics.Vector.Sum(sum);
            for (; j < a.Length; j++)
            {
                dot += a[j] * b[j];
            }
            return dot;
        }
    }

    /// <summary>
    /// The mean over the classes present in <paramref name="truth"/> of the share of their rows predicted right:
    /// 1/k for any constant prediction however imbalanced the classes, so that a majority vote does not look like signal.
    /// </summary>
    internal static double BalancedAccuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted) =>
        truth.Select((t, i) => (t, Right: predicted[i] == t)).GroupBy(p => p.t).Average(g => g.Count(p => p.Right) / (double)g.Count());

    private sealed class ProbeRow
    {
        public float[] Features { get; set; } = [];

        public float Target { get; set; }
    }

    /// <summary>The FastTree probe's score on fold <paramref name="test"/> (MAE, or balanced accuracy over the classes).</summary>
    internal static double Tree(MLContext ml, float[][] x, float[] targets, int[] fold, int test, bool regression, int seed)
    {
        var definition = SchemaDefinition.Create(typeof(ProbeRow));
        definition[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x[0].Length);
        IDataView Rows(bool training) => ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, x.Length).Where(i => (fold[i] != test) == training).Select(i => new ProbeRow { Features = x[i], Target = targets[i] }).ToList(), definition);
        var train = Rows(true);
        var held = Rows(false);
        int trainCount = fold.Count(f => f != test);
        int leafMinimum = Math.Max(2, trainCount / 20);
        if (regression)
        {
            var model = ml.Regression.Trainers.FastTree("Target", "Features", numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: leafMinimum).Fit(train);
            return ml.Regression.Evaluate(model.Transform(held), "Target").MeanAbsoluteError;
        }
        // One-versus-all hands its binary trainer a Boolean label under the binary trainer's own label column
        // name, so the key column must carry that name ("Label") too.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Target")
            .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: leafMinimum)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedValue", "PredictedLabel"));
        var scored = pipeline.Fit(train).Transform(held);
        var predicted = scored.GetColumn<float>("PredictedValue").Select(v => (int)v).ToArray();
        var truth = scored.GetColumn<float>("Target").Select(v => (int)v).ToArray();
        return BalancedAccuracy(truth, predicted);
    }

    private static double Chance(float[] targets, int[] fold, int test, bool regression, int classes)
    {
        if (!regression)
        {
            // Any constant prediction (the majority class included) has balanced accuracy 1/k.
            return 1.0 / classes;
        }
        var train = targets.Where((_, i) => fold[i] != test).ToArray();
        var held = targets.Where((_, i) => fold[i] == test).ToArray();
        double mean = train.Average(t => (double)t);
        return held.Average(t => Math.Abs(t - mean));
    }

    private static ProbeScore Summarise(string features, string model, bool regression, int count, IReadOnlyList<double> scores)
    {
        double mean = scores.Average();
        double sd = scores.Count < 2 ? 0 : Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / (scores.Count - 1));
        return new ProbeScore(features, model, regression ? "MAE" : "balanced accuracy", mean, sd, count);
    }

    private static bool Finite(float[][] x) => x.All(r => r.All(float.IsFinite));

    private static bool Varies(float[][] x) => x.Any(r => r.Any(v => v != 0));

    private static bool AnyColumnVaries(float[][] x) => Enumerable.Range(0, x[0].Length).Any(j => x.Any(r => r[j] != x[0][j]));

}
