using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Analysis;

/// <summary>Settings of <see cref="DatasetDiagnostics.Compute"/>: subject ids, the model's input box, thresholds, parallelism.</summary>
internal sealed class DatasetDiagnosticsOptions
{
    /// <summary>Column with subject ids for messages; default: sid, else participant_id, when present, else "row N".</summary>
    public string? SubjectColumnName { get; set; }

    /// <summary>Orientation the brain extent is measured in (the model's axes); default xai4mri's "LIA".</summary>
    public string Orientation { get; set; } = "LIA";

    /// <summary>The model's input shape in voxels along the axes of <see cref="Orientation"/>; default xai4mri's box (156, 166, 204).</summary>
    public int[] ModelInputShape { get; set; } = BrainBox.Xai4MriDefaultShape([1.0]);

    /// <summary>The model's voxel size in mm (one value or three); default 1 mm.</summary>
    public double[] ModelVoxelSize { get; set; } = [1.0];

    /// <summary>
    /// Column with each scan's magnetic field strength in tesla, as BIDS sidecars name it (a numeric column, or text
    /// holding numbers); default "MagneticFieldStrength". Absent: no field strengths are reported.
    /// </summary>
    public string FieldStrengthColumnName { get; set; } = "MagneticFieldStrength";

    /// <summary>Take the first volume of 4-D files instead of failing (as the loader's option).</summary>
    public bool AllowFourD { get; set; }

    /// <summary>Class labels are imbalanced from this ratio of largest to smallest class on; default 3.</summary>
    public double ImbalanceRatioLimit { get; set; } = 3;

    /// <summary>Class labels are imbalanced when the smallest class has fewer rows than this; default 10.</summary>
    public int SmallestClassLimit { get; set; } = 10;

    /// <summary>
    /// The prepared volume of a file as the loader that conformed the images made it (from its cache); null decodes
    /// each file here, reoriented only.
    /// </summary>
    public Func<string, PreparedVolume>? Prepared { get; set; }

    /// <summary>Files decoded concurrently, each held in memory by one worker at a time; default: the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
}
