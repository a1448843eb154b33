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

    /// <summary>Fine-tuning epochs of the lesion detector.</summary>
    public int Epochs { get; set; } = 15;

    /// <summary>Learning rate of the lesion detector's fine-tuning.</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>Cubes removed in a perturbation curve (K of AOPC).</summary>
    public int Steps { get; set; } = 30;

    /// <summary>Edge of a perturbation cube in voxels of the model's box.</summary>
    public int Cube { get; set; } = 2;

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
