namespace Xai4Mri.ML.Analysis;

/// <summary>
/// What one pass of the pretrained network over the new data gives the analysis: three feature sets, the targets,
/// and per image its group (site) and a sample of its non-zero voxels.
/// </summary>
internal sealed record AnalysisFeatures(
    float[][] Penultimate,
    float[][] Earlier,
    float[][] Raw,
    float[] Targets,
    string[] Groups,
    IReadOnlyList<float[]> IntensitySamples,
    int PenultimateLayer);
