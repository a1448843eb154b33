using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>Small deterministic images written with <see cref="NiftiWriter"/> for tests that need a valid file to damage.</summary>
internal static class SmallImages
{
    public static readonly long[] Shape = [8, 7, 6];

    public static Affine Affine { get; } = Affine.FromLinearAndTranslation([-2, 0, 0, 0, 2, 0, 0, 0, 2.5], [10, -12, 7]);

    public static short[] Int16Voxels()
    {
        var v = new short[8 * 7 * 6];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (short)((i * 37 % 2001) - 1000);
        }
        return v;
    }

    public static string WriteInt16(string path)
    {
        NiftiWriter.Write<short>(path, Int16Voxels(), Shape, Affine);
        return path;
    }
}
