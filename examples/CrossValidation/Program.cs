// Cross-validating a network pipeline by subject: LoadNifti → MriNetTransfer, five folds of whole subjects, even in
// size and stratified by age (ml.Regression.CrossValidateBySubject, which runs ML.NET's own CrossValidate on them);
// per-fold metrics and their mean ± sd.
//   dotnet run --project examples/CrossValidation [PRETRAINED_MODEL | --fresh]
// The model: the argument, else the quickstart's shipped model (examples/Shared);
// --fresh trains a new MRInet in every fold instead (PretrainedModel = null).
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
using Xai4Mri.ML.Volumes;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "CrossValidation"));
bool fresh = args.Contains("--fresh");

// Target: 80 subjects from a clinical site (site F: 4 mm T1w, LPI, int16, noisy) — a small dataset of the kind
// transfer learning is for.
string cohort = Path.Combine(work, "site-f");
if (!File.Exists(Path.Combine(cohort, "participants.tsv")))
{
    Console.WriteLine($"Generating 80 synthetic site-F subjects in {cohort} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = cohort, Subjects = 80, Sites = [SiteProfile.SiteF], Seed = 41 });
}

var ml = new MLContext(seed: 1);
IDataView subjects = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"),
    pathTemplate: "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });

// A pretrained model fixes the input (NiftiLoaderOptions.For: its orientation, voxel size, box and intensities).
// Without one, 6 mm and xai4mri's default brain box.
string? modelFile = fresh ? null : PretrainedModels.Find(args.FirstOrDefault());
using MriNetModel? pretrained = modelFile is null ? null : MriNetModel.Load(modelFile);
var loaderOptions = pretrained is null
    ? new NiftiLoaderOptions { VoxelSize = [6.0], TargetShape = BrainBox.Xai4MriDefaultShape([6.0]) }
    : NiftiLoaderOptions.For(pretrained);
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
double[] voxelSize = loaderOptions.VoxelSize ?? [6.0];
int[] shape = loaderOptions.TargetShape!;
Console.WriteLine(pretrained is null
    ? $"--fresh: each fold trains a new MRInet ({string.Join("x", shape)} voxels of {voxelSize[0]} mm)."
    : $"Pretrained model {modelFile} ({string.Join("x", shape)} voxels of {string.Join("/", voxelSize)} mm): dual-phase transfer in each fold.");

int fold = 0;                                             // counted by EpochLine
// Everything that learns from data sits inside the pipeline, so each fold fits it on its own training subjects only
// (LoadNifti's dataset normalisation included). The cache decodes each file once for all folds.
var pipeline = ml.Transforms.LoadNifti("Image", "Path", loaderOptions)
    .Append(ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
    {
        LabelColumnName = "age",
        PretrainedModel = pretrained,                     // null: a fresh MRInet sized from the image column
        Strategy = pretrained is null ? TransferStrategy.MonoPhase : TransferStrategy.DualPhase,
        Epochs = pretrained is null ? 20 : 12,            // dual-phase: 12 epochs all layers, then 8 dense layers only
        FineTuneEpochs = 8,
        LearningRate = pretrained is null ? 1e-3 : null,   // null: the model's rate, else xai4mri's 5e-4
        BatchSize = 4,
        Seed = 1,
        Progress = new SyncProgress<TrainingProgress>(EpochLine),
    }));

// All rows of a subject stay in one fold. Here each subject has one scan; with sessions or runs (see
// examples/BidsDataset) a row-wise split would test on people the model was trained on. ML.NET's own
// CrossValidate(..., samplingKeyColumnName: "participant_id") keeps subjects together too, but hashes them into
// folds of 11 to 26 of these 80; dealt folds hold 16 each, and stratified each spans the age range.
Console.WriteLine("5-fold cross-validation by subject, stratified by age quartile …");
var folds = ml.Regression.CrossValidateBySubject(subjects, pipeline, numberOfFolds: 5, labelColumnName: "age",
    subjectColumnName: "participant_id", stratified: true, seed: 1);

Console.WriteLine();
Console.WriteLine("fold | test subjects | MAE (years) | RMSE | R²");
foreach (var f in folds)
{
    long n = f.ScoredHoldOutSet.GetColumn<float>("age").LongCount();
    Console.WriteLine($"{f.Fold + 1,4} | {n,13} | {f.Metrics.MeanAbsoluteError,11:F2} | {f.Metrics.RootMeanSquaredError,4:F2} | {f.Metrics.RSquared:F2}");
}
var (maeMean, maeSd) = MeanSd(folds.Select(f => f.Metrics.MeanAbsoluteError));
var (r2Mean, r2Sd) = MeanSd(folds.Select(f => f.Metrics.RSquared));
float[] ages = subjects.GetColumn<float>("age").ToArray();
double sd = Math.Sqrt(ages.Select(a => (a - ages.Average()) * (a - ages.Average())).Sum() / (ages.Length - 1));
Console.WriteLine($"Mean ± sd over folds: MAE {maeMean:F2} ± {maeSd:F2} years, R² {r2Mean:F2} ± {r2Sd:F2} (ages {ages.Min():F0}–{ages.Max():F0}, sd {sd:F1} years).");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s.");

// One line per fold and every tenth epoch: enough to see training move without 150 lines of log.
void EpochLine(TrainingProgress p)
{
    if (p.Epoch == 1)
    {
        fold++;
    }
    if (p.EpochInPhase == 1 || p.EpochInPhase % 10 == 0 || p.EpochInPhase == p.EpochsInPhase)
    {
        Console.WriteLine($"  fold {fold}: {p}");
    }
}

static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
{
    double[] v = values.ToArray();
    double mean = v.Average();
    return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)));
}
