// Quickstart: the whole mission on synthetic data. A small MRInet pretrained for brain age on 1,000 scans of one
// site is moved to 60 scans from another site (other contrast, orientation, voxel size, noise): analyse first,
// transfer with the recommended strategy, cross-validate against training from scratch, save the model, predict
// a new subject's file from a fresh PredictionEngine, and show which voxels drove that prediction.
//
//   dotnet run --project examples/Quickstart                 the quickstart (writes ./xai4mri-quickstart/)
//   dotnet run --project examples/Quickstart -- --out DIR    … somewhere else
//   dotnet run --project examples/Quickstart -- pretrain     remake the shipped pretrained model (about 10 minutes;
//                                                            --model FILE writes it elsewhere, to compare)
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string work = Path.GetFullPath(Option("--out") ?? "xai4mri-quickstart");
if (args.Contains("pretrain"))
{
    string projectFolder = typeof(Settings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "ProjectDirectory").Value!;
    return Pretraining.Run(work, Option("--model") ?? Path.Combine(projectFolder, "pretrained", Settings.PretrainedFile));
}

var clock = Stopwatch.StartNew();
void Step(string title) => Console.WriteLine($"\n[{clock.Elapsed:mm\\:ss}] {title}");

// 1. Data: a synthetic target cohort from site D (made once, then reused) and one more subject to predict at the end.
Step("1/7 Data");
string target = Path.Combine(work, "data", "site-d");
string newSubject = Path.Combine(work, "data", "new-subject");
foreach (var (folder, options) in new[] { (target, Settings.Target(target)), (newSubject, Settings.NewSubject(newSubject)) })
{
    if (File.Exists(Path.Combine(folder, "participants.tsv")))
    {
        Console.WriteLine($"  reusing {folder}");
        continue;
    }
    Console.WriteLine($"  generating {options.Subjects} synthetic site-D subject(s) (FLAIR, PSR, 3 mm) in {folder}");
    SyntheticCohort.Generate(options);
}
var ml = new MLContext(seed: 1);
IDataView subjects = StudyTable.Load(ml, Path.Combine(target, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });
float[] ages = subjects.GetColumn<float>("age").ToArray();
Console.WriteLine($"  {ages.Length} subjects aged {ages.Min():F0}–{ages.Max():F0} (mean {ages.Average():F1}); label: age");

// 2. The pretrained model shipped with this example, and loader settings that conform new scans to its input.
Step("2/7 Pretrained model");
using var pretrained = MriNetModel.Load(Path.Combine(AppContext.BaseDirectory, "pretrained", Settings.PretrainedFile));
Console.WriteLine($"  {pretrained.Spec.Architecture}, input {string.Join(" x ", pretrained.InputShape)}: {pretrained.Conventions.Description}");
Console.WriteLine($"  pretrained on: {pretrained.SourceStatistics?.Description}");
// Conformed the way the model expects: its orientation, voxel size (6 mm), input box and intensity scaling.
var loaderOptions = NiftiLoaderOptions.For(pretrained);
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions);

// 3. Will transfer work? The analysis probes the pretrained features on the new data and recommends a strategy.
Step("3/7 Transfer analysis");
IDataView images = loader.Fit(subjects).Transform(subjects);
var report = TransferAnalysis.Analyze(ml, pretrained, images, "age", options: new TransferAnalysisOptions
{
    SubjectColumnName = "participant_id",
    Seed = 1,
    Progress = new SyncProgress<string>(line => Console.WriteLine($"  {line}")),
});
string reportFolder = Path.Combine(work, "report");
report.Save(reportFolder);
var advice = report.Recommendation;
EpochProgress? progress = null;
Console.WriteLine($"\n{report.ToMarkdown()}");
Console.WriteLine($"  report with figures: {reportFolder}");

// 4. Five-fold cross-validation by subject: the recommended strategy, dual-phase (xai4mri's), frozen features, and
//    from scratch. The whole pipeline LoadNifti → trainer is refitted per fold, so nothing of a test fold leaks into
//    training (loader statistics, head bias, early stopping).
Step("4/7 Cross-validation (5 folds)");
// Dual-phase as the analysis sizes it, or with the library's defaults when it recommends something else.
var dualOptions = advice.Approach == TransferApproach.DualPhase
    ? advice.ToTrainerOptions("age", pretrained)
    : new MriNetTransferTrainer.Options { LabelColumnName = "age", PretrainedModel = pretrained, Strategy = TransferStrategy.DualPhase };
var candidates = new List<(string Name, Func<string, IEstimator<ITransformer>> Make)>();
switch (advice.Approach)
{
    case TransferApproach.DualPhase:
        candidates.Add(("dual-phase transfer (recommended)", label => Trainer(dualOptions, label)));
        candidates.Add(("frozen features + FastTree", _ => FrozenFeatures()));
        break;
    case TransferApproach.FrozenFeatures:
        candidates.Add(("frozen features + FastTree (recommended)", _ => FrozenFeatures()));
        candidates.Add(("dual-phase transfer", label => Trainer(dualOptions, label)));
        break;
    case TransferApproach.MonoPhase or TransferApproach.LinearProbeThenFineTune or TransferApproach.TrainFromScratch:
        candidates.Add(($"{advice.Approach} (recommended)", label => Trainer(advice.ToTrainerOptions("age", pretrained), label)));
        candidates.Add(("dual-phase transfer", label => Trainer(dualOptions, label)));
        candidates.Add(("frozen features + FastTree", _ => FrozenFeatures()));
        break;
    default:
        Console.WriteLine("  the analysis found too little signal to recommend training; comparing anyway");
        candidates.Add(("dual-phase transfer", label => Trainer(dualOptions, label)));
        candidates.Add(("frozen features + FastTree", _ => FrozenFeatures()));
        break;
}
// From scratch gets the same epoch budget, batch size and validation share as dual-phase, and the usual 1e-3.
candidates.Add(("from scratch (fresh MRInet)", label => Trainer(new MriNetTransferTrainer.Options
{
    LabelColumnName = "age",
    Strategy = TransferStrategy.MonoPhase,
    Epochs = dualOptions.Epochs + dualOptions.FineTuneEpochs,
    LearningRate = 1e-3,
    BatchSize = dualOptions.BatchSize,
    ValidationFraction = dualOptions.ValidationFraction,
}, label)));
var results = new List<(string Name, double Mae, double Sd, double R2, double Minutes)>();
foreach (var (name, make) in candidates)
{
    Console.WriteLine($"  {name}");
    var started = clock.Elapsed;
    // Five folds of 12 whole subjects each, stratified by age quartile (ML.NET's own CrossValidate underneath).
    var folds = ml.Regression.CrossValidateBySubject(subjects, loader.Append(make("fold")), numberOfFolds: 5, labelColumnName: "age",
        subjectColumnName: "participant_id", stratified: true, seed: 1);
    progress?.Finish();
    var mae = folds.Select(f => f.Metrics.MeanAbsoluteError).ToArray();
    double mean = mae.Average();
    double sd = Math.Sqrt(mae.Sum(m => (m - mean) * (m - mean)) / (mae.Length - 1));
    results.Add((name, mean, sd, folds.Average(f => f.Metrics.RSquared), (clock.Elapsed - started).TotalMinutes));
    Console.WriteLine($"    MAE per fold {string.Join(", ", mae.Select(m => m.ToString("F1")))} → {mean:F2} ± {sd:F2} years");
}

// 5. The final model: the recommended strategy (the first candidate) fitted on all 60 subjects, as a user following
//    the analysis would, its learning curve, and a model .zip. Cross-validation above says how it compares.
Step("5/7 Final model");
var chosen = results[0];
var best = results.Take(results.Count - 1).MinBy(r => r.Mae);
Console.WriteLine($"  fitting {chosen.Name} on all {ages.Length} subjects" + (best.Name == chosen.Name ? ", the best transfer above"
    : $"; {best.Name} scored {best.Mae:F2} against its {chosen.Mae:F2} (fold sd {chosen.Sd:F2}: {(Math.Abs(best.Mae - chosen.Mae) < chosen.Sd ? "no real difference" : "a real difference")})"));
ITransformer model = loader.Append(candidates[0].Make("fit")).Fit(subjects);
progress?.Finish();
if (((IEnumerable<ITransformer>)model).Last() is MriNetPredictionTransformer fitted)
{
    fitted.History.SavePlot(Path.Combine(work, "learning-curve.png"));
    Console.WriteLine($"  learning curve: {Path.Combine(work, "learning-curve.png")}");
}
else
{
    Console.WriteLine("  no learning curve: frozen features + FastTree trains no network");
}
string zip = Path.Combine(work, "brain-age-site-d.zip");
ml.Model.Save(model, subjects.Schema, zip);
Console.WriteLine($"  saved {zip} ({new FileInfo(zip).Length / 1024} KiB)");

// 6. A fresh context loads the .zip and predicts the age of a subject no model has seen, from the file alone.
Step("6/7 Prediction for a new subject");
var fresh = new MLContext();
var engine = fresh.Model.CreatePredictionEngine<Scan, AgePrediction>(fresh.Model.Load(zip, out _));
var someone = StudyTable.Read(Path.Combine(newSubject, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz");
string file = someone.Paths[0];
float trueAge = float.Parse(someone["age"].Values[0], CultureInfo.InvariantCulture);
Console.WriteLine($"  {Path.GetFileName(file)}: predicted {engine.Predict(new Scan { Path = file }).Score:F1} years, true age {trueAge:F1}");

// 7. Which voxels drove that prediction: LRP relevance (preset A, xai4mri's default) of the transferred network on the
//    new subject's scan as the loader conforms it, as a figure and back in the scan's own grid.
Step("7/7 Relevance of the transferred model");
var steps = ((IEnumerable<ITransformer>)model).ToList();
if (steps[^1] is MriNetPredictionTransformer)
{
    var conform = steps.OfType<NiftiLoaderTransformer>().Single();
    var (image, _) = conform.LoadOne(file);
    var map = RelevanceMaps.Compute(PipelineNetwork.Find(model), image, 1).Single();
    string png = Path.Combine(work, "relevance.png"), native = Path.Combine(work, "relevance.nii.gz");
    RelevanceFigure.Save(png, image, map.Values, conform.Settings.TargetShape, conform.Settings.Orientation,
        $"{Path.GetFileName(file)}: LRP preset A, predicted {map.OutputValue:F1} years (true {trueAge:F1})");
    conform.WriteNative(file, map.Values, native);
    Console.WriteLine($"  {png} (figure), {native} (in the scan's grid): predicted {map.OutputValue:F1} years, relevance sum {map.RelevanceSum:F1}");
}
else
{
    Console.WriteLine("  no relevance map: frozen features + FastTree has no network that makes the prediction");
}

// The summary table.
double scratch = results[^1].Mae;
var table = new List<string>
{
    $"Age on {ages.Length} site-D subjects (FLAIR), MRInet pretrained on 1,000 site-A subjects (T1w); 5-fold cross-validation:",
    "",
    "| strategy | MAE (years) | R² | MAE / scratch | minutes |",
    "|---|---|---|---|---|",
};
table.AddRange(results.Select(r => $"| {r.Name} | {r.Mae:F2} ± {r.Sd:F2} | {r.R2:F2} | {r.Mae / scratch:F2} | {r.Minutes:F1} |"));
table.Add($"| predicting the mean age | {ages.Average(a => Math.Abs(a - ages.Average())):F2} | 0 | | |");
File.WriteAllLines(Path.Combine(work, "results.md"), table);
Console.WriteLine($"\n[{clock.Elapsed:mm\\:ss}] Done. Results ({Path.Combine(work, "results.md")}):\n");
table.ForEach(Console.WriteLine);
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// A trainer whose epochs show on the console; fits are counted as "fold 1, fold 2, …" or "fit 1".
IEstimator<ITransformer> Trainer(MriNetTransferTrainer.Options options, string label)
{
    progress = new EpochProgress(label);
    options.Seed = 1;
    options.Progress = progress;
    return ml.Regression.Trainers.MriNetTransfer(options);
}

IEstimator<ITransformer> FrozenFeatures() => ml.Transforms.MriNetFeaturize("Features", "Image", pretrained)
    .Append(ml.Regression.Trainers.FastTree(labelColumnName: "age", featureColumnName: "Features", numberOfLeaves: 4, numberOfTrees: 100, minimumExampleCountPerLeaf: 5));

/// <summary>Input of the prediction engine: just the file.</summary>
internal sealed class Scan
{
    public string Path { get; set; } = "";
}

/// <summary>Output of the prediction engine: the predicted age.</summary>
internal sealed class AgePrediction
{
    public float Score { get; set; }
}
