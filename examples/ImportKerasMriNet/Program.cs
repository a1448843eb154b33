// Importing an MRInet saved by xai4mri (Keras .h5): summary, input conventions, a prediction on a conformed volume,
// a new head for another task (xai4mri's adapt_model), and ONNX export checked against TorchSharp.
//   dotnet run --project examples/ImportKerasMriNet [MODEL.h5]
// Without an argument it uses the small test fixture Xai4Mri.ML.Tests/Fixtures/keras/mrinet_regression.h5 (same
// layout as xai4mri's published t1_model.h5, 12x14x12 input instead of 198x198x198).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string modelPath = args.Length > 0 ? args[0] : FindInRepository(Path.Combine("Xai4Mri.ML.Tests", "Fixtures", "keras", "mrinet_regression.h5"));
string work = Path.GetFullPath(Path.Combine("example-output", "ImportKerasMriNet"));
Directory.CreateDirectory(work);

// 1. Load. MriNetModel.Load recognises the HDF5 signature and reads tf.keras' legacy format (architecture from
//    model_config, weights from model_weights, converted from channels-last to channels-first).
using var model = MriNetModel.Load(modelPath);
Console.WriteLine($"Loaded {model.Provenance}");
Console.WriteLine(model.Summary());
var c = model.Conventions;
Console.WriteLine($"Input conventions assumed for an imported xai4mri model: orientation {c.Orientation}, " +
    $"{(c.NormalizedTo255 ? "intensities 0–255" : "raw intensities")}, {(c.BrainExtracted ? "brain-extracted (background 0)" : "with skull")}, " +
    $"voxel size {(c.VoxelSize is null ? "not recorded in the file" : string.Join("/", c.VoxelSize) + " mm")}.");

// 2. Conform a volume to the model's input. xai4mri's published models take FreeSurfer's brain.finalsurfs.mgz (1 mm,
//    LIA, skull-stripped) pruned to 198³: LoadNifti with VoxelSize 1, Orientation LIA (the default) and
//    TargetShape = model.InputShape does the same. The 12x14x12 fixture cannot hold a brain at 1 mm, so for small
//    inputs pick the whole-millimetre voxel size at which xai4mri's largest brain box (156 x 166 x 204 mm in LIA) fits.
int[] shape = model.InputShape;
int[] largestBrainMm = [156, 166, 204];
double voxelSize = shape.Min() >= 128 ? 1.0 : Math.Ceiling(Enumerable.Range(0, 3).Max(a => (double)largestBrainMm[a] / shape[a]));
string subjectFolder = Path.Combine(work, "subject");
if (!File.Exists(Path.Combine(subjectFolder, "participants.tsv")))
{
    Console.WriteLine($"Generating one synthetic subject (T1w, 2 mm) in {subjectFolder} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = subjectFolder, Subjects = 1, Sites = [SiteProfile.SiteA], Seed = 5 });
}
var ml = new MLContext(seed: 1);
IDataView subject = StudyTable.Load(ml, Path.Combine(subjectFolder, "participants.tsv"),
    pathTemplate: "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = ["age"] });
var loaderOptions = NiftiLoaderOptions.For(model);          // LIA, the model's box (198³ for the published models), 0–255
loaderOptions.VoxelSize = [voxelSize];                       // a Keras file does not record it
loaderOptions.Normalization = IntensityNormalization.PerImage; // one image here; for a cohort keep the default (Dataset), as xai4mri
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(subject);
float[] volume = loader.Transform(subject).GetColumn<VBuffer<float>>("Image").First().DenseValues().ToArray();
float age = subject.GetColumn<float>("age").First();
Console.WriteLine($"Conformed the subject to {string.Join("x", shape)} voxels of {voxelSize} mm (LIA, 0–255); its age is {age:F1} years.");

// 3. Predict with the imported network as it is (regression head) — TorchSharp, evaluation mode.
float imported = Predict(model.Network, volume, shape)[0];
Console.WriteLine($"Imported model's output for it: {imported:F4} (the fixture's weights are random: not an age)");

// 4. A new head for a new task, as xai4mri's adapt_model: two classes (softmax without bias) instead of the regression
//    unit; every other weight is kept. MriNetTransfer/AdaptHead do this themselves inside a pipeline.
using var classifier = HeadAdapter.Adapt(model, classes: 2, classNames: ["control", "patient"], seed: 1);
Console.WriteLine();
Console.WriteLine("After HeadAdapter.Adapt(model, classes: 2):");
Console.WriteLine(classifier.Summary());
float[] probabilities = Predict(classifier.Network, volume, shape);
Console.WriteLine($"Untrained two-class head: P(control) = {probabilities[0]:F3}, P(patient) = {probabilities[1]:F3}");
classifier.Save(Path.Combine(work, "mrinet-2class.x4m"));

// 5. ONNX: export the adapted network, read it back and check that it computes the same.
string onnx = Path.Combine(work, "mrinet-2class.onnx");
OnnxExporter.Export(classifier.Network, onnx, new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["classes"] = "control, patient" } });
using var reloaded = MriNetModel.Load(onnx);
float[] again = Predict(reloaded.Network, volume, shape);
double difference = probabilities.Zip(again, (a, b) => Math.Abs(a - b)).Max();
Console.WriteLine($"Exported {onnx} ({new FileInfo(onnx).Length:N0} bytes); re-imported, it differs from TorchSharp by at most {difference:E1}.");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");

// One volume through a network in evaluation mode: [1, 1, D, H, W] in, the flattened output back.
static float[] Predict(NetworkModule network, float[] volume, int[] shape)
{
    network.eval();
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    var input = tensor(volume).reshape(1, 1, shape[0], shape[1], shape[2]);
    return network.forward(input).reshape(-1).data<float>().ToArray();
}

// A file of this repository, found from the current folder upwards (dotnet run starts in the folder you call it from).
static string FindInRepository(string relative)
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, relative);
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }
    throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()}: run from the repository or pass a .h5 path");
}
