using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.Bench;

/// <summary>
/// The transfer experiment of docs/transfer-results.md. <c>transfer-pretrain</c>: a synthetic source cohort (site A,
/// T1w) and an MRInet trained on it for age. <c>transfer-compare</c>: small target cohorts from another site (FLAIR,
/// other voxel size, orientation and noise), 5-fold cross-validated: from scratch, frozen features + FastTree,
/// mono-phase and dual-phase transfer, all with the same epoch budget.
/// </summary>
internal static class TransferStudy
{
    /// <summary>The conformed input every run uses: 4 mm, LIA, brain box 40 × 44 × 52.</summary>
    public static readonly int[] InputShape = [40, 44, 52];

    public static NiftiLoaderOptions Loader(string cache) => new()
    {
        VoxelSize = [4.0],
        TargetShape = InputShape,
        CacheDirectory = cache,
    };

    public static int Pretrain(string[] args)
    {
        string work = Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        int subjects = int.Parse(Arg(args, "--subjects") ?? "1000", CultureInfo.InvariantCulture);
        int epochs = int.Parse(Arg(args, "--epochs") ?? "30", CultureInfo.InvariantCulture);
        double learningRate = double.Parse(Arg(args, "--learning-rate") ?? "1e-3", CultureInfo.InvariantCulture);
        int patience = int.Parse(Arg(args, "--patience") ?? "10", CultureInfo.InvariantCulture);
        bool batchNorm = args.Contains("--batch-norm");
        bool augment = args.Contains("--augment");
        string name = Arg(args, "--name") ?? "pretrained-mrinet";
        var clock = Stopwatch.StartNew();
        string source = Path.Combine(work, "source");
        if (!File.Exists(Path.Combine(source, "participants.tsv")))
        {
            Console.WriteLine($"generating {subjects} site-a subjects (T1w, 4 mm) in {source}");
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = source, Subjects = subjects, Seed = 11, Sites = [SiteProfile.SiteA], VoxelSize = 4 });
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s");
        }
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("Source=MriNetTransfer", StringComparison.Ordinal))
            {
                Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {e.Message}");
            }
        };
        var data = StudyTable.Load(ml, Path.Combine(source, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = ["age"] });
        // 4 mm: the fixed 40 × 44 × 52 box of docs/transfer-results.md. Another --voxel-size: the box the loader finds
        // in the source cohort (as the quickstart's pretraining does).
        double voxel = double.Parse(Arg(args, "--voxel-size") ?? "4", CultureInfo.InvariantCulture);
        var loaderOptions = voxel == 4 ? Loader(Path.Combine(work, "cache")) : new NiftiLoaderOptions { VoxelSize = [voxel], CacheDirectory = Path.Combine(work, "cache") };
        var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(data);
        int[] shape = loader.Settings.TargetShape;
        // A fresh MRInet in the loader's conventions (LIA); with --batch-norm, xai4mri's batch-norm variant.
        float meanAge = data.GetColumn<float>("age").Average();
        using var fresh = MriNetModel.CreateMriNet(shape, ModelTask.Regression(meanAge, "age"), seed: 1, batchNorm: batchNorm,
            conventions: new InputConventions { VoxelSize = [voxel], Description = string.Create(CultureInfo.InvariantCulture, $"synthetic site-a T1w, LoadNifti {voxel} mm LIA, {string.Join("x", shape)}, dataset 0-255") });
        var trainer = ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
        {
            LabelColumnName = "age",
            PretrainedModel = fresh,
            Strategy = TransferStrategy.MonoPhase,
            Epochs = epochs,
            LearningRate = learningRate,
            BatchSize = 8,
            ValidationFraction = 0.1,
            EarlyStoppingPatience = patience,
            // The "pretrained" model here is a fresh network: its batch norm must learn its statistics.
            KeepBatchNormStatistics = false,
            Augmentation = augment ? new AugmentationOptions { FlipProbability = 0.5, MaxShift = 2 } : null,
            CheckpointDirectory = Path.Combine(work, $"{name}-checkpoint"),
            Seed = 1,
        });
        var trained = trainer.Fit(loader.Transform(data));
        string path = Path.Combine(work, $"{name}.x4m");
        trained.Model.Save(path);
        trained.History.SavePlot(Path.Combine(work, $"{name}-learning-curve.png"));
        var best = trained.History.Best!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretrained MRInet written to {path}: best epoch {best.Epoch}, validation MAE {best.ValidationMetric:F2} y (loss {best.ValidationLoss:F2}); {clock.Elapsed.TotalMinutes:F1} min"));
        return 0;
    }

    /// <summary>One row of the comparison: a strategy's cross-validated scores.</summary>
    private sealed record Outcome(string Strategy, double Mean, double Sd, double SecondMean, double Minutes);

    public static int Compare(string[] args)
    {
        string work = Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        string target = Arg(args, "--target") ?? "age";
        int[] sizes = (Arg(args, "--n") ?? "60,120").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int epochs = int.Parse(Arg(args, "--epochs") ?? "12", CultureInfo.InvariantCulture);
        int fineTune = int.Parse(Arg(args, "--fine-tune") ?? "8", CultureInfo.InvariantCulture);
        int folds = int.Parse(Arg(args, "--folds") ?? "5", CultureInfo.InvariantCulture);
        string[] only = (Arg(args, "--strategies") ?? "scratch,features,mono,dual,probe").Split(',');
        string siteName = Arg(args, "--site") ?? "site-d";
        var site = SiteProfile.FindPredefined(siteName) ?? throw new ArgumentException($"--site: unknown site '{siteName}'");
        bool regression = target == "age";
        bool restore = !args.Contains("--no-restore");
        double validation = double.Parse(Arg(args, "--validation-fraction") ?? "0.1", CultureInfo.InvariantCulture);
        double transferRate = double.Parse(Arg(args, "--learning-rate") ?? "5e-4", CultureInfo.InvariantCulture);
        bool augment = args.Contains("--augment");
        var clock = Stopwatch.StartNew();
        // Site D is the default target: FLAIR instead of T1w, PSR instead of RAS, another noise level, stored at 3 mm.
        string targetFolder = Path.Combine(work, siteName == "site-d" ? "target" : $"target-{siteName}");
        int largest = sizes.Max();
        if (!File.Exists(Path.Combine(targetFolder, "participants.tsv")))
        {
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = targetFolder, Subjects = largest, Seed = 23, Sites = [site], VoxelSize = 3 });
        }
        // A name in the work folder, or the path of any .x4m (e.g. the quickstart's 6 mm model): the loader then
        // conforms the target to that model's voxel size and input box.
        string pretrainedArg = Arg(args, "--pretrained") ?? "pretrained-mrinet";
        string pretrainedName = Path.GetFileNameWithoutExtension(pretrainedArg);
        using var pretrained = MriNetModel.Load(pretrainedArg.EndsWith(".x4m", StringComparison.Ordinal) ? pretrainedArg : Path.Combine(work, $"{pretrainedArg}.x4m"));
        var lines = new List<string>
        {
            $"| N | strategy | {(regression ? "MAE (y), mean ± sd over folds | R²" : "balanced accuracy, mean ± sd over folds | AUC")} | minutes |",
            "|---|---|---|---|---|",
        };
        foreach (int n in sizes)
        {
            var ml = new MLContext(seed: 1);
            var all = StudyTable.Load(ml, Path.Combine(targetFolder, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = ["age"] });
            var data = ml.Data.TakeRows(all, n);
            if (!regression)
            {
                data = ml.Transforms.Conversion.MapValue("Label", new Dictionary<string, bool> { ["control"] = false, ["patient"] = true }, "group").Fit(data).Transform(data);
            }
            var loaderOptions = NiftiLoaderOptions.For(pretrained);
            loaderOptions.VoxelSize ??= [4.0];
            loaderOptions.CacheDirectory = Path.Combine(work, "cache");
            var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions);
            var outcomes = new List<Outcome>();
            foreach (string strategy in only)
            {
                var started = clock.Elapsed;
                var pipeline = loader.Append(Strategy(ml, strategy, regression ? "age" : "Label", regression, pretrained, epochs, fineTune, restore, validation, transferRate, augment));
                var (mean, sd, second) = CrossValidate(ml, data, pipeline, regression ? "age" : "Label", regression, folds);
                var outcome = new Outcome(strategy, mean, sd, second, (clock.Elapsed - started).TotalMinutes);
                outcomes.Add(outcome);
                if (strategy == "dual" && n == largest)
                {
                    // One fit on all N for the learning-curve figure of docs/transfer-results.md.
                    var fitted = (TransformerChain<ITransformer>)pipeline.Fit(data);
                    ((MriNetPredictionTransformer)fitted.LastTransformer).History.SavePlot(Path.Combine(work, $"dual-phase-learning-curve-{target}-{pretrainedName}.png"));
                }
                string line = string.Create(CultureInfo.InvariantCulture, $"| {n} | {Name(outcome.Strategy, epochs, fineTune)} | {outcome.Mean:F2} ± {outcome.Sd:F2} | {outcome.SecondMean:F2} | {outcome.Minutes:F1} |");
                lines.Add(line);
                Console.WriteLine(line);
            }
            if (regression && outcomes.FirstOrDefault(o => o.Strategy == "scratch") is { } scratch)
            {
                foreach (var o in outcomes.Where(o => o.Strategy != "scratch"))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"N={n}: {o.Strategy} MAE / scratch MAE = {o.Mean / scratch.Mean:F2}"));
                }
            }
        }
        File.WriteAllLines(Path.Combine(work, $"results-{target}-{siteName}-{pretrainedName}{(restore ? "" : "-no-restore")}{(validation == 0.1 ? "" : string.Create(CultureInfo.InvariantCulture, $"-validation-{validation}"))}{(transferRate == 5e-4 ? "" : string.Create(CultureInfo.InvariantCulture, $"-lr-{transferRate}"))}{(augment ? "-augment" : "")}.md"), lines);
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>
    /// The estimator for one strategy of the comparison, all with the same epoch budget. With
    /// <paramref name="multiclass"/> the label is a key (3 or more classes): FastTree one-versus-all on the features
    /// (the key column must then be called "Label", the name one-versus-all gives its binary trainer's label), the
    /// multiclass MriNetTransfer otherwise.
    /// </summary>
    internal static IEstimator<ITransformer> Strategy(MLContext ml, string strategy, string label, bool regression, MriNetModel pretrained, int epochs, int fineTune, bool restore = true, double validation = 0.1, double transferRate = 5e-4, bool augment = false, bool multiclass = false)
    {
        if (strategy == "features")
        {
            return ml.Transforms.MriNetFeaturize("Features", "Image", pretrained)
                .Append(regression
                    ? (IEstimator<ITransformer>)ml.Regression.Trainers.FastTree(labelColumnName: label, featureColumnName: "Features", numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: 5)
                    : multiclass
                        ? ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(featureColumnName: "Features", numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: 5), labelColumnName: label)
                        : ml.BinaryClassification.Trainers.FastTree(labelColumnName: label, featureColumnName: "Features", numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: 5));
        }
        var options = new MriNetTransferTrainer.Options
        {
            LabelColumnName = label,
            PretrainedModel = strategy == "scratch" ? null : pretrained,
            Strategy = strategy switch { "dual" => TransferStrategy.DualPhase, "probe" => TransferStrategy.LinearProbeThenFineTune, _ => TransferStrategy.MonoPhase },
            Epochs = strategy is "dual" or "probe" ? epochs : epochs + fineTune,
            FineTuneEpochs = fineTune,
            LearningRate = strategy == "scratch" ? 1e-3 : transferRate,
            BatchSize = 4,
            // 0: no validation split, no early stopping, no best-epoch selection — the weights after the fixed budget.
            ValidationFraction = validation,
            RestoreBestBetweenPhases = restore,
            Augmentation = augment ? new AugmentationOptions { FlipProbability = 0.5, MaxShift = 2 } : null,
            Seed = 1,
        };
        return regression ? ml.Regression.Trainers.MriNetTransfer(options)
            : multiclass ? ml.MulticlassClassification.Trainers.MriNetTransfer(options) : ml.BinaryClassification.Trainers.MriNetTransfer(options);
    }

    /// <summary>
    /// k-fold cross-validation of <paramref name="pipeline"/>: the mean and sd over folds of MAE (regression) or
    /// balanced accuracy (binary; the mean of the recalls of both classes, 0.5 at chance whatever the class balance),
    /// and the mean R² or AUC.
    /// </summary>
    internal static (double Mean, double Sd, double Second) CrossValidate(MLContext ml, IDataView data, IEstimator<ITransformer> pipeline, string label, bool regression, int folds)
    {
        if (regression)
        {
            var cv = ml.Regression.CrossValidate(data, pipeline, folds, label, seed: 1);
            var mae = cv.Select(f => f.Metrics.MeanAbsoluteError).ToList();
            return (mae.Average(), Sd(mae), cv.Average(f => f.Metrics.RSquared));
        }
        var binary = ml.BinaryClassification.CrossValidateNonCalibrated(data, pipeline, folds, label, seed: 1);
        var balanced = binary.Select(f => (f.Metrics.PositiveRecall + f.Metrics.NegativeRecall) / 2).ToList();
        return (balanced.Average(), Sd(balanced), binary.Average(f => f.Metrics.AreaUnderRocCurve));
    }

    private static string Name(string strategy, int epochs, int fineTune) => strategy switch
    {
        "scratch" => $"from scratch (fresh MRInet, {epochs + fineTune} epochs)",
        "features" => "frozen features (penultimate layer) + FastTree",
        "mono" => $"mono-phase transfer ({epochs + fineTune} epochs)",
        "dual" => $"dual-phase transfer ({epochs} + {fineTune} epochs)",
        "probe" => $"linear probe then fine-tune ({epochs} + {fineTune} epochs)",
        _ => strategy,
    };

    internal static double Sd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    internal static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
