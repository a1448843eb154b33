using Xai4Mri.ML.Explanations;

namespace Xai4Mri.Bench;

/// <summary>The faithfulness benchmark's arguments, with the defaults of the committed run (bench/run-faithfulness.sh).</summary>
internal sealed class FaithfulnessOptions
{
    /// <summary>Folder for the cohorts, region images and the loader's cache.</summary>
    public string Work { get; set; } = Path.Combine("bench", "data", "faithfulness");

    /// <summary>The age model to explain and to fine-tune for the lesion.</summary>
    public string Pretrained { get; set; } = Path.Combine("examples", "Quickstart", "pretrained", "mrinet-site-a-age-6mm.x4m");

    /// <summary>Subjects explained in the age scenario.</summary>
    public int AgeSubjects { get; set; } = 10;

    /// <summary>Training subjects of the lesion detector (half with a planted lesion, by chance).</summary>
    public int LesionTrain { get; set; } = 120;

    /// <summary>Test subjects of the lesion detector; those with a lesion are explained.</summary>
    public int LesionTest { get; set; } = 20;

    /// <summary>Radius of the planted lesion in millimetres.</summary>
    public double LesionRadius { get; set; } = 12;

    /// <summary>Training epochs of the lesion detector.</summary>
    public int Epochs { get; set; } = 15;

    /// <summary>Adam learning rate of the lesion detector.</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>Epochs without a better validation loss before the detector's training stops; 0 trains all epochs.</summary>
    public int Patience { get; set; } = 10;

    /// <summary>
    /// Train a fresh MRInet for the lesion (true) or fine-tune the age model (false: it sees the lesion at the age
    /// model's 6 mm and never learnt it there).
    /// </summary>
    public bool LesionFromScratch { get; set; } = true;

    /// <summary>
    /// A fresh detector has batch normalisation before each conv (xai4mri's option): without it, the 0–255 input
    /// makes the first logits tens of units large and training does not recover from it.
    /// </summary>
    public bool LesionBatchNorm { get; set; } = true;

    /// <summary>Voxel size in mm of the lesion cohort and of a fresh detector's input (a fine-tuned one keeps 6 mm).</summary>
    public double LesionVoxel { get; set; } = 4;

    /// <summary>The site scanning the lesion cohort (a predefined name: site-a is T1w, site-d FLAIR).</summary>
    public string LesionSite { get; set; } = "site-d";

    /// <summary>Cubes removed in a perturbation curve (K of AOPC).</summary>
    public int Steps { get; set; } = 30;

    /// <summary>Edge of a perturbation cube in mm (rounded to whole voxels of the model's box: 2 at 6 mm, 3 at 4 mm).</summary>
    public double CubeMm { get; set; } = 12;

    /// <summary>Edge of an occlusion cube in mm (whole voxels of the model's box, side by side).</summary>
    public double OcclusionMm { get; set; } = 24;

    /// <summary>Random orders per subject.</summary>
    public int Seeds { get; set; } = 3;

    /// <summary>TorchSharp threads.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Folder for the figures; null for none.</summary>
    public string? Figures { get; set; }

    /// <summary>The scenarios to run: age, lesion.</summary>
    public string[] Scenarios { get; set; } = ["age", "lesion"];

    /// <summary>Methods to measure; empty for all.</summary>
    public List<RelevanceMethod> Methods { get; } = [];
}
