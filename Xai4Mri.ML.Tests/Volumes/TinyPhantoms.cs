using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>
/// Minimal brain-like test images: an ellipsoid "brain" with a dark "ventricle" whose size grows with a parameter,
/// written in a chosen orientation and voxel size with zero background.
/// </summary>
internal static class TinyPhantoms
{
    public static string Write(string path, double size, string orientation = "RAS", double voxel = 4, int seed = 0, bool nan = false, bool fourD = false)
    {
        // 24x28x24 grid at 4 mm (96x112x96 mm), built in RAS and then stored in the requested orientation.
        int nx = (int)(96 / voxel), ny = (int)(112 / voxel), nz = (int)(96 / voxel);
        var rasAffine = Affine.FromLinearAndTranslation([voxel, 0, 0, 0, voxel, 0, 0, 0, voxel], [-48 + (voxel / 2), -56 + (voxel / 2), -48 + (voxel / 2)]);
        var data = new float[nx * ny * nz];
        var ras = new Volume(data, [nx, ny, nz], rasAffine);
        var rng = new Random(seed);
        for (int i = 0; i < nx; i++)
        {
            for (int j = 0; j < ny; j++)
            {
                for (int k = 0; k < nz; k++)
                {
                    var w = rasAffine.Apply(i, j, k);
                    double r = Math.Pow(w.X / (30 * size), 2) + Math.Pow(w.Y / (40 * size), 2) + Math.Pow(w.Z / (30 * size), 2);
                    double vent = Math.Pow(w.X / 12, 2) + Math.Pow(w.Y / 16, 2) + Math.Pow(w.Z / 8, 2);
                    if (r < 1)
                    {
                        data[ras.Index(i, j, k)] = vent < size - 0.6 ? 20 : (float)(100 + (10 * rng.NextDouble()));
                    }
                }
            }
        }
        if (nan)
        {
            data[ras.Index(nx / 2, ny / 2, nz / 2)] = float.NaN;
        }
        var stored = Reorientation.Reorient(ras, orientation);
        if (!fourD)
        {
            stored.Save(path);
            return path;
        }
        // A second, empty volume makes the file 4-D.
        var fortran = new float[stored.Data.Length * 2];
        stored.ToFileOrder().CopyTo(fortran, 0);
        NiftiWriter.Write<float>(path, fortran, [stored.Shape[0], stored.Shape[1], stored.Shape[2], 2], stored.Affine);
        return path;
    }
}
