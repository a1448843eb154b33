using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>Reorients to the axis codes (permutes and flips axes, no interpolation); the inverse is exact.</summary>
internal sealed class ReorientStep : IVolumeStep
{
    /// <summary>A step to <paramref name="orientation"/> (three axis codes, e.g. "LIA").</summary>
    /// <exception cref="ArgumentException">The codes are malformed.</exception>
    public ReorientStep(string orientation)
    {
        Reorientation.ParseAxisCodes(orientation);
        Orientation = orientation.ToUpperInvariant();
    }

    /// <summary>The target axis codes.</summary>
    public string Orientation { get; }

    public string Key => $"orient={Orientation}";

    public string Description => $"reorient to {Orientation}";

    public GridGeometry Output(GridGeometry input) => Reorientation.Plan(input, Orientation).Output;

    public Volume Apply(Volume input) => Reorientation.Reorient(input, Orientation);

    public Volume Invert(Volume map, GridGeometry input, float fill)
    {
        // Back to the input's own axis codes; the affine is the input's, not a product that may differ in its last bit.
        var back = Reorientation.Reorient(map, Nifti.Orientation.AxisCodes(input.Affine));
        return new Volume(back.Data, [.. input.Shape], input.Affine);
    }
}
