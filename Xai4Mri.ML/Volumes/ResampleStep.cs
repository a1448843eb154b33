using System.Globalization;

namespace Xai4Mri.ML.Volumes;

/// <summary>Resamples trilinearly to a voxel size, keeping the field of view; the inverse resamples a map back onto the input grid.</summary>
internal sealed class ResampleStep : IVolumeStep
{
    /// <summary>A step to <paramref name="voxelSize"/> mm (one value, or one per axis).</summary>
    public ResampleStep(IReadOnlyList<double> voxelSize)
    {
        VoxelSize = [.. voxelSize];
    }

    /// <summary>The target voxel size in mm.</summary>
    public double[] VoxelSize { get; }

    public string Key => "vox=" + string.Join(',', VoxelSize.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public string Description => $"resample to {string.Join('×', VoxelSize.Select(v => v.ToString(CultureInfo.InvariantCulture)))} mm";

    public GridGeometry Output(GridGeometry input) => Resampling.Plan(input, VoxelSize).Output;

    public Volume Apply(Volume input) => Resampling.ToVoxelSize(input, VoxelSize);

    public Volume Invert(Volume map, GridGeometry input, float fill) =>
        Resampling.Plan(input, VoxelSize).IsIdentity ? new Volume(map.Data, [.. input.Shape], input.Affine) : Resampling.OntoGrid(map, input.Shape, input.Affine, fill);
}
