using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// The images behind Fixtures/written/: written by our writer, then read once with nibabel by
/// Fixtures/check_written.py, whose readings are Fixtures/written/expected.json.
/// </summary>
internal static class WrittenFixtures
{
    public static readonly string[] Names = ["float32_oblique.nii", "int16_scaled.nii.gz", "uint8_las.nii"];

    /// <summary>A rotation of 20° about z and 10° about x, voxel sizes 1.5/2/2.5, and a left-right flip (qfac −1 territory).</summary>
    public static Affine Oblique()
    {
        double a = 20 * Math.PI / 180, b = 10 * Math.PI / 180;
        double[] rz = [Math.Cos(a), -Math.Sin(a), 0, Math.Sin(a), Math.Cos(a), 0, 0, 0, 1];
        double[] rx = [1, 0, 0, 0, Math.Cos(b), -Math.Sin(b), 0, Math.Sin(b), Math.Cos(b)];
        double[] zooms = [-1.5, 2, 2.5];
        var m = new double[9];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++)
                {
                    s += rz[(i * 3) + k] * rx[(k * 3) + j];
                }
                m[(i * 3) + j] = s * zooms[j];
            }
        }
        return Affine.FromLinearAndTranslation(m, [12.5, -40.25, 3]);
    }

    public static void Write(string name, string path)
    {
        switch (name)
        {
            case "float32_oblique.nii":
            {
                var v = new float[6 * 5 * 4];
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (float)Math.Sin(i * 0.37) * 100;
                }
                NiftiWriter.Write<float>(path, v, [6, 5, 4], Oblique(), new NiftiWriteOptions { Description = "xai4mri writer fixture", SformCode = 2 });
                break;
            }
            case "int16_scaled.nii.gz":
            {
                var v = new short[5 * 4 * 3 * 2];
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (short)((i * 1291 % 60001) - 30000);
                }
                var affine = Affine.FromLinearAndTranslation([-2, 0, 0, 0, 2, 0, 0, 0, 2], [90, -126, -72]);
                NiftiWriter.Write<short>(path, v, [5, 4, 3, 2], affine, new NiftiWriteOptions { Slope = 0.5, Intercept = -10, Zooms = [2, 2, 2, 1.5] });
                break;
            }
            case "uint8_las.nii":
            {
                var v = new byte[7 * 6 * 5];
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (byte)(i * 7 % 256);
                }
                var affine = Affine.FromLinearAndTranslation([-1, 0, 0, 0, 1, 0, 0, 0, 1], [3, -2.5, 2]);
                NiftiWriter.Write<byte>(path, v, [7, 6, 5], affine, new NiftiWriteOptions { QformCode = 0, SformCode = 4 });
                break;
            }
            default:
                throw new ArgumentException(name);
        }
    }
}
