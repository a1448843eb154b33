namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Where a pruned box came from: enough to place a map of the pruned shape back into the grid it was cut from
/// (xai4mri's reverse pruning, without having to find the brain edges again).
/// </summary>
/// <param name="SourceShape">Shape of the grid the box was cut from.</param>
/// <param name="SourceStart">First source voxel copied, per axis.</param>
/// <param name="TargetStart">Where that voxel went in the pruned box, per axis.</param>
/// <param name="CopiedLength">How many voxels were copied, per axis.</param>
/// <param name="TargetShape">Shape of the pruned box.</param>
/// <param name="BrainCut">True when the brain was larger than the box on some axis and was cut symmetrically.</param>
public sealed record PruneRecord(int[] SourceShape, int[] SourceStart, int[] TargetStart, int[] CopiedLength, int[] TargetShape, bool BrainCut);
