namespace Xai4Mri.ML.Training;

/// <summary>
/// Random changes to training images, drawn anew for every image in every epoch (deterministic given the trainer's
/// seed); validation images are never changed.
/// </summary>
public sealed class AugmentationOptions
{
    /// <summary>
    /// Probability of mirroring an image along its left–right axis. Which array axis that is comes from
    /// <see cref="LeftRightAxis"/>; for xai4mri's LIA orientation it is axis 0.
    /// </summary>
    public double FlipProbability { get; set; }

    /// <summary>Array axis (0, 1 or 2 of D, H, W) that runs left–right. Default 0 (LIA, RAS and LAS all start with it).</summary>
    public int LeftRightAxis { get; set; }

    /// <summary>Largest shift in voxels along each axis (uniform in ±MaxShift, background filled with 0). Default 0.</summary>
    public int MaxShift { get; set; }

    /// <summary>
    /// Relative intensity jitter: every voxel is multiplied by one factor drawn uniformly from [1 − j, 1 + j] per image.
    /// Default 0.
    /// </summary>
    public double IntensityJitter { get; set; }

    /// <summary>True when any change is switched on.</summary>
    internal bool IsActive => FlipProbability > 0 || MaxShift > 0 || IntensityJitter > 0;
}
