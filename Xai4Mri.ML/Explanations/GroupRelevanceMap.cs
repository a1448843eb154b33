using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Explanations;

/// <summary>The mean relevance map of a group of subjects (a cohort, a class or a label range) in the model's conformed box.</summary>
public sealed record GroupRelevanceMap
{
    /// <summary>The group: "all", a class name, or a label range "[low, high)".</summary>
    public required string Group { get; init; }

    /// <summary>The number of maps averaged.</summary>
    public required int Count { get; init; }

    /// <summary>The voxel-wise mean of the group's maps (C order, <see cref="Shape"/>).</summary>
    public required float[] Mean { get; init; }

    /// <summary>The maps' shape (the relevance column's dimensions).</summary>
    public required IReadOnlyList<int> Shape { get; init; }

    /// <summary>
    /// Writes <see cref="Mean"/> as a NIfTI-1 file (atomically) in the conformed box of <paramref name="settings"/>:
    /// its orientation and voxel size (1 mm when the loader keeps each file's own voxels), centred on the world
    /// origin, as the box has no subject of its own.
    /// </summary>
    /// <param name="path">The .nii or .nii.gz file to write.</param>
    /// <param name="settings">The loader settings the maps' images were conformed with (a fitted loader's <see cref="NiftiLoaderTransformer.Settings"/>).</param>
    /// <exception cref="ArgumentException">The map is not three-dimensional or not of the settings' box.</exception>
    public void Save(string path, NiftiLoaderSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(settings);
        if (Shape.Count != 3 || !Shape.SequenceEqual(settings.TargetShape))
        {
            throw new ArgumentException($"the group map is {string.Join('x', Shape)}, the loader's box is {string.Join('x', settings.TargetShape)}", nameof(settings));
        }
        new Volume(Mean, [.. Shape], BoxAffine(settings)).Save(path);
    }

    /// <summary>The conformed box's voxel-to-world matrix: the settings' axis codes and voxel size, the box centred on the origin.</summary>
    internal static Affine BoxAffine(NiftiLoaderSettings settings)
    {
        var shape = settings.TargetShape;
        double[] voxel = settings.VoxelSize switch
        {
            { Length: 3 } v => v,
            { Length: 1 } v => [v[0], v[0], v[0]],
            _ => [1, 1, 1],
        };
        var linear = new double[9];
        for (int axis = 0; axis < 3; axis++)
        {
            char code = char.ToUpperInvariant(settings.Orientation[axis]);
            int world = code is 'R' or 'L' ? 0 : code is 'A' or 'P' ? 1 : 2;
            linear[(world * 3) + axis] = (code is 'R' or 'A' or 'S' ? 1 : -1) * voxel[axis];
        }
        var translation = new double[3];
        for (int world = 0; world < 3; world++)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                translation[world] -= linear[(world * 3) + axis] * (shape[axis] - 1) / 2.0;
            }
        }
        return Affine.FromLinearAndTranslation(linear, translation);
    }
}
