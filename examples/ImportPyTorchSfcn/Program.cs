// Importing a PyTorch state dict: Peng et al.'s SFCN brain-age model (UK Biobank; github.com/ha-ha-ha-han/
// UKBiobank_deep_pretrain, brain_age/run_20190719_00_epoch_best_mae.p) read with the library's restricted unpickler —
// no code from the file runs — into the SFCN architecture, then a prediction decoded from the 40 soft-label age bins.
//   dotnet run --project examples/ImportPyTorchSfcn [run_20190719_00_epoch_best_mae.p [T1_brain_linearto_MNI.nii.gz]]
// Without arguments it uses the test fixture Xai4Mri.ML.Tests/Fixtures/pytorch/sfcn_dataparallel_zip.pt (the same
// module layout with 4-8 channels, a 32³ input and 10 outputs) and checks the import against PyTorch's own outputs.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "ImportPyTorchSfcn"));
Directory.CreateDirectory(work);
bool published = args.Length > 0;
string weights = published ? args[0] : FindInRepository(Path.Combine("Xai4Mri.ML.Tests", "Fixtures", "pytorch", "sfcn_dataparallel_zip.pt"));

// 1. The architecture. A state dict holds weights only; the network comes from Architectures.Sfcn, whose layer names
//    are the reference implementation's module paths (feature_extractor.conv_0.0, …, classifier.conv_6). The
//    published model: 160x192x160 input, channels 32-64-128-256-256-64, 40 outputs (ages 42-82 in 1-year bins).
NetworkSpec spec = published
    ? Architectures.Sfcn([160, 192, 160])
    : Architectures.Sfcn([32, 32, 32], outputs: 10, channels: [4, 8, 8, 8, 8, 8]);   // the fixture (make_pytorch_fixtures.py)

// 2. Load. The 'module.' prefix that nn.DataParallel adds to every key is dropped; both the zip format (PyTorch ≥ 1.6)
//    and the legacy format (the 2019 brain-age file) are read. Any missing, unexpected or mis-shaped key is an error.
using var model = MriNetModel.Load(weights, pytorchArchitecture: spec);
Console.WriteLine($"Loaded {model.Provenance}");
Console.WriteLine(model.Summary());

// 3. The fixture: compare with the eval-mode outputs PyTorch computed when it wrote the file (expected.json).
if (!published)
{
    var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(weights)!, "expected.json")))
        .RootElement.GetProperty("cases").GetProperty(Path.GetFileName(weights));
    long[] inputShape = expected.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    float[] formula = new float[inputShape.Aggregate(1L, (a, b) => a * b)];
    for (int i = 0; i < formula.Length; i++)
    {
        formula[i] = (float)(Math.Sin(0.37 * i) + 0.5 * Math.Cos(0.011 * i));     // the fixture script's input
    }
    float[] ours = Forward(model.Network, formula, inputShape);
    double[] theirs = expected.GetProperty("output").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    Console.WriteLine($"Against PyTorch 1.13 on the fixture's input: {ours.Length} log-probabilities, largest difference " +
        $"{ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max():E1}");
}

// 4. One scan, prepared as the reference does: the whole image divided by its mean, centre-cropped to the input.
//    With a file argument this is exact for the input the model was trained on — UK Biobank's skull-stripped T1 linearly
//    registered to MNI152 at 1 mm, 182x218x182 (the notebook names T1_brain_linearto_MNI.nii.gz) — taking the voxel
//    array in file order, as nibabel gives it. Otherwise a synthetic subject, conformed by
//    LoadNifti to the input box in LAS (the voxel order of FSL's MNI152 grid): close in form, not registered to MNI.
int[] shape = model.InputShape;
float[] volume;
string what;
if (args.Length > 1)
{
    volume = ReferencePreparation(MriImage.Load(args[1]), shape);
    what = Path.GetFileName(args[1]);
}
else
{
    string subjectFolder = Path.Combine(work, "subject");
    if (!File.Exists(Path.Combine(subjectFolder, "participants.tsv")))
    {
        SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = subjectFolder, Subjects = 1, Sites = [SiteProfile.SiteA], Seed = 5, MinAge = 45, MaxAge = 80 });
    }
    var ml = new MLContext(seed: 1);
    IDataView subject = StudyTable.Load(ml, Path.Combine(subjectFolder, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
        options: new StudyTableOptions { NumericColumns = ["age"] });
    var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions
    {
        Orientation = "LAS",
        VoxelSize = [published ? 1.0 : 7.0],                   // 7 mm fits a brain into the fixture's 32³
        TargetShape = shape,
        Normalization = IntensityNormalization.None,           // SFCN divides by the mean instead (below)
        CacheDirectory = Path.Combine(work, "cache"),
    }).Fit(subject);
    volume = loader.Transform(subject).GetColumn<VBuffer<float>>("Image").First().DenseValues().ToArray();
    double mean = volume.Average(v => (double)v);
    for (int i = 0; i < volume.Length; i++)
    {
        volume[i] = (float)(volume[i] / mean);
    }
    what = $"a synthetic subject aged {subject.GetColumn<float>("age").First():F1}, {string.Join("x", shape)} voxels of {(published ? 1 : 7)} mm";
}
float[] logProbabilities = Forward(model.Network, volume, [1, 1, shape[0], shape[1], shape[2]]);

// 5. Decode the soft label: bin i covers ages 42 + i to 43 + i (centre 42.5 + i); the prediction is the expectation
//    of the bin centres under exp(output), as in the reference notebook.
double[] p = logProbabilities.Select(l => Math.Exp(l)).ToArray();
double[] centres = Enumerable.Range(0, p.Length).Select(i => 42.5 + i).ToArray();
double age = p.Zip(centres, (a, b) => a * b).Sum();
int top = Array.IndexOf(p, p.Max());
Console.WriteLine($"Prediction for {what}:");
Console.WriteLine($"  most probable bin {top} (ages {42 + top}–{43 + top}, p = {p[top]:F3}); expected age {age:F1} years" +
    (published ? "" : " (the fixture's 10 random outputs are not age bins: this only shows the arithmetic)"));
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");

// The network's flattened eval-mode output for an input of the given shape.
static float[] Forward(NetworkModule network, float[] input, long[] shape)
{
    network.eval();
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    return network.forward(tensor(input).reshape(shape)).reshape(-1).data<float>().ToArray();
}

// dp_utils.crop_center and data / data.mean() of the reference notebook, on the voxel array in file order (nibabel's
// [x, y, z]), returned C-ordered (last axis fastest) as the network reads it.
static float[] ReferencePreparation(MriImage image, int[] shape)
{
    int nx = (int)image.Shape[0], ny = (int)image.Shape[1], nz = (int)image.Shape[2];
    float[] data = image.GetFloatData();                       // first axis fastest
    double mean = data.Average(v => (double)v);
    int cx = (nx - shape[0]) / 2, cy = (ny - shape[1]) / 2, cz = (nz - shape[2]) / 2;
    if (cx < 0 || cy < 0 || cz < 0)
    {
        throw new ArgumentException($"{image.FilePath}: {nx}x{ny}x{nz} is smaller than the network's input {string.Join("x", shape)}");
    }
    var output = new float[shape[0] * shape[1] * shape[2]];
    for (int x = 0; x < shape[0]; x++)
    {
        for (int y = 0; y < shape[1]; y++)
        {
            for (int z = 0; z < shape[2]; z++)
            {
                output[(x * shape[1] + y) * shape[2] + z] = (float)(data[(x + cx) + nx * ((y + cy) + ny * (long)(z + cz))] / mean);
            }
        }
    }
    return output;
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
    throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()}: run from the repository or pass a .p/.pt path");
}
