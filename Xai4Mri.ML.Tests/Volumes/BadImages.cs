using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>Images with no head in them, on a 64³ grid of 3 mm voxels: all background, a uniform blob, an object too small for a brain.</summary>
internal static class BadImages
{
    private const int N = 64;
    private const double Voxel = 3;

    /// <summary>Writes the three images (float32 NIfTI, RAS, centred on the origin).</summary>
    public static void Write(string empty, string blob, string small)
    {
        var affine = Affine.FromLinearAndTranslation([Voxel, 0, 0, 0, Voxel, 0, 0, 0, Voxel], [-N * Voxel / 2, -N * Voxel / 2, -N * Voxel / 2]);
        NiftiWriter.Write<float>(empty, new float[N * N * N], [N, N, N], affine);
        // A sphere of 65 mm radius (1,150 mL, a brain's volume) at one intensity: no tissue contrast.
        NiftiWriter.Write<float>(blob, Fill((x, y, z) => (x * x) + (y * y) + (z * z) <= 65 * 65 ? 500 : 0), [N, N, N], affine);
        // A 60 mm cube (216 mL) with two tissues: contrast, but smaller than any brain.
        NiftiWriter.Write<float>(small, Fill((x, y, z) => Math.Max(Math.Abs(x), Math.Max(Math.Abs(y), Math.Abs(z))) < 30 ? (x > 0 ? 300 : 800) : 0), [N, N, N], affine);
    }

    // Voxels in NIfTI order (first axis fastest), from world positions (mm) of voxel centres.
    private static float[] Fill(Func<double, double, double, float> value)
    {
        var data = new float[N * N * N];
        for (int k = 0; k < N; k++)
        {
            for (int j = 0; j < N; j++)
            {
                for (int i = 0; i < N; i++)
                {
                    data[i + (N * (j + (N * k)))] = value(W(i), W(j), W(k));
                }
            }
        }
        return data;
    }

    private static double W(int index) => (index * Voxel) - (N * Voxel / 2);
}
