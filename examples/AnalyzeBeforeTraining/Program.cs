// Will transfer work? Analyse first (ml.Transforms.AnalyzeTransfer, xai4mri's announced analyse_model_and_data), read
// the report, save it with its figures, then train the way it recommends and check the result on held-out subjects.
//   dotnet run --project examples/AnalyzeBeforeTraining [PRETRAINED_MODEL]
// The model: the argument, else the quickstart's shipped model (examples/Shared).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Training;
using Xai4Mri.ML.Transfer;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "AnalyzeBeforeTraining"));
string modelFile = PretrainedModels.Find(args.FirstOrDefault());
using var pretrained = MriNetModel.Load(modelFile);
Console.WriteLine($"Pretrained model {modelFile}: input {string.Join("x", pretrained.InputShape)} at " +
    $"{string.Join("/", pretrained.Conventions.VoxelSize ?? [6.0])} mm ({pretrained.Conventions.Description})");

// Target: 80 subjects of another site and contrast (site D: FLAIR, PSR orientation), 64 to analyse and train on,
// 16 held out to check what the analysis promised. The analysis never sees the test subjects.
string cohort = Path.Combine(work, "site-d");
if (!File.Exists(Path.Combine(cohort, "participants.tsv")))
{
    Console.WriteLine($"Generating 80 synthetic site-D subjects (FLAIR, 4 mm) in {cohort} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = cohort, Subjects = 80, Sites = [SiteProfile.SiteD], VoxelSize = 4, Seed = 23 });
}
var ml = new MLContext(seed: 1);
IDataView subjects = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });
var split = SubjectSplit.Create(subjects, new SubjectSplitOptions { TrainRatio = 0.8, ValidationRatio = 0, TestRatio = 0.2, Seed = 1 });
var parts = split.Apply(ml, subjects);
// Conformed the way the model expects: its orientation, voxel size, input box and intensity scaling.
var loaderOptions = NiftiLoaderOptions.For(pretrained);
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions);

// 1. Analyse: diagnostics, LogME and cross-validated probes on pretrained vs raw features, domain shift, advice.
Console.WriteLine($"Analysing {split.Train.Count} subjects …");
var analysis = loader
    .Append(ml.Transforms.AnalyzeTransfer("age", "Image", pretrained, options: new TransferAnalysisOptions
    {
        Seed = 1,
        Progress = new SyncProgress<string>(line => Console.WriteLine($"  {line}")),
    }))
    .Fit(parts.Train);
TransferReport report = analysis.LastTransformer.Report;
Console.WriteLine();
Console.WriteLine(report.ToMarkdown());
string reportFolder = Path.Combine(work, "analysis");
report.Save(reportFolder);                          // report.md, report.json, four PNG figures
Console.WriteLine($"Report saved to {reportFolder}: {string.Join(", ", Directory.GetFiles(reportFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal))}");

// 2. Follow the advice.
var advice = report.Recommendation;
IEstimator<ITransformer> trainer;
switch (advice.Approach)
{
    case TransferApproach.TooLittleSignal:
        Console.WriteLine("The analysis finds too little signal to train on; stopping here.");
        return;
    case TransferApproach.FrozenFeatures:
        // ToTrainerOptions refuses this case: no network trains. The frozen penultimate features go into the learner
        // of the best probe: a ridge-like linear model (normalised features, SDCA with an L2 penalty) or FastTree.
        bool linear = report.Transferability.BestPretrained.Model == "ridge";
        Console.WriteLine($"Training as advised: frozen penultimate features + {(linear ? "a linear model (SDCA, L2)" : "FastTree")} …");
        trainer = ml.Transforms.MriNetFeaturize("Features", "Image", pretrained)
            .Append(linear
                ? (IEstimator<ITransformer>)ml.Transforms.NormalizeMeanVariance("Features")
                    .Append(ml.Regression.Trainers.Sdca(labelColumnName: "age", featureColumnName: "Features", l2Regularization: 1))
                : ml.Regression.Trainers.FastTree(labelColumnName: "age", featureColumnName: "Features", numberOfTrees: 100, numberOfLeaves: 4, minimumExampleCountPerLeaf: 5));
        break;
    default:
        MriNetTransferTrainer.Options options = advice.ToTrainerOptions("age", pretrained);
        options.Seed = 1;
        options.Progress = new SyncProgress<TrainingProgress>(p => Console.WriteLine($"  {p}"));
        Console.WriteLine($"Training as advised: {options.Strategy}, {options.Epochs} + {options.FineTuneEpochs} epochs, batch {options.BatchSize}, " +
            $"learning rate {options.LearningRate:G3}, validation share {options.ValidationFraction:F2} (about {advice.SecondsPerEpoch:F1} s per epoch expected) …");
        trainer = ml.Regression.Trainers.MriNetTransfer(options);
        break;
}
var model = loader.Append(trainer).Fit(parts.Train);

// 3. Did it keep the promise? Held-out subjects against the analysis's expected score.
var metrics = ml.Regression.Evaluate(model.Transform(parts.Test), labelColumnName: "age");
Console.WriteLine();
Console.WriteLine($"Advice: {advice.Approach} (confidence {advice.Confidence:F2}, {advice.ConfidenceLevel}); expected {advice.Metric} {advice.ExpectedScore:F2} years, " +
    $"chance {advice.ChanceScore:F2}.");
Console.WriteLine($"Held-out result on {split.Test.Count} subjects: MAE {metrics.MeanAbsoluteError:F2} years, R² {metrics.RSquared:F2}. " +
    $"Analysis {report.Seconds:F0} s; done in {clock.Elapsed.TotalSeconds:F0} s.");
