// Loading MRI data into ML.NET: a study table of NIfTI files → LoadNifti → FastTree, split by subject, evaluated,
// saved, and used from a fresh PredictionEngine. Runs on a synthetic cohort it generates on first use.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;

string folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "xai4mri-example-cohort");
string cacheFolder = Path.Combine(Path.GetTempPath(), "xai4mri-example-cache");
var clock = Stopwatch.StartNew();

if (!File.Exists(Path.Combine(folder, "participants.tsv")))
{
    Console.WriteLine($"Generating a synthetic cohort of 200 subjects (2 mm, two sites) in {folder} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = folder, Subjects = 200, Seed = 1 });
}

var ml = new MLContext(seed: 1);
// One row per subject: participant_id, Path, age (required to be a number), sex, group, site.
IDataView subjects = StudyTable.Load(ml, Path.Combine(folder, "participants.tsv"),
    pathTemplate: "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });
var split = SubjectSplit.Create(subjects, new SubjectSplitOptions { TrainRatio = 0.8, ValidationRatio = 0, TestRatio = 0.2, Seed = 1 });
var parts = split.Apply(ml, subjects);
Console.WriteLine($"{split.Train.Count} training and {split.Test.Count} test subjects");

// Reorient to LIA, resample to 6 mm (a small feature vector for a tree model), prune to the brain box, normalise.
var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions
    {
        VoxelSize = [6.0],
        Normalization = IntensityNormalization.PerImage,
        CacheDirectory = cacheFolder,
    })
    .Append(ml.Regression.Trainers.FastTree(labelColumnName: "age", featureColumnName: "Image",
        numberOfTrees: 100, numberOfLeaves: 8, minimumExampleCountPerLeaf: 5));
ITransformer model = pipeline.Fit(parts.Train);
var loader = (NiftiLoaderTransformer)((IEnumerable<ITransformer>)model).First();
Console.WriteLine($"Image column: {string.Join(" x ", loader.Settings.TargetShape)} voxels; {string.Join("; ", loader.FitReport.Warnings)}");

var metrics = ml.Regression.Evaluate(model.Transform(parts.Test), labelColumnName: "age");
float[] trainAges = parts.Train.GetColumn<float>("age").ToArray();
float[] testAges = parts.Test.GetColumn<float>("age").ToArray();
double meanBaseline = testAges.Average(a => Math.Abs(a - trainAges.Average()));
Console.WriteLine($"Held-out R² {metrics.RSquared:F2}, mean absolute error {metrics.MeanAbsoluteError:F1} years (predicting the mean: {meanBaseline:F1} years)");

string zip = Path.Combine(Path.GetTempPath(), "xai4mri-example-brain-age.zip");
ml.Model.Save(model, subjects.Schema, zip);
var engine = new MLContext().Model.CreatePredictionEngine<Scan, AgePrediction>(new MLContext().Model.Load(zip, out _));
string someone = Path.Combine(folder, "sub-007", "anat", "sub-007_T1w.nii.gz");
Console.WriteLine($"Saved {zip}; a fresh PredictionEngine says sub-007 is {engine.Predict(new Scan { Path = someone }).Score:F1} years old");
Console.WriteLine($"Cache: {loader.CacheStatistics}. Done in {clock.Elapsed.TotalSeconds:F0} s.");

/// <summary>Input of the prediction engine: just the file.</summary>
internal sealed class Scan
{
    public string Path { get; set; } = "";
}

/// <summary>Output of the prediction engine: the regression score.</summary>
internal sealed class AgePrediction
{
    public float Score { get; set; }
}
