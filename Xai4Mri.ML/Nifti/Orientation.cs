namespace Xai4Mri.ML.Nifti;

/// <summary>Axis orientation codes of an affine, computed as nibabel's <c>io_orientation</c>/<c>aff2axcodes</c>.</summary>
public static class Orientation
{
    private static readonly char[,] Labels = { { 'L', 'R' }, { 'P', 'A' }, { 'I', 'S' } };

    /// <summary>
    /// For each of the three voxel axes, the world axis (0 = x, 1 = y, 2 = z) it runs along and its direction
    /// (+1 towards R/A/S, −1 towards L/P/I); <c>(-1, 0)</c> for an axis the affine collapses, and for all three when the affine is not finite.
    /// </summary>
    public static (int WorldAxis, int Direction)[] IoOrientation(Affine affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        var result = new (int, int)[3];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                if (!double.IsFinite(affine[r, c]))
                {
                    // A damaged header can carry NaN/inf; no direction can be read from it.
                    Array.Fill(result, (-1, 0));
                    return result;
                }
            }
        }
        var rs = new double[9];
        for (int c = 0; c < 3; c++)
        {
            double norm = Math.Sqrt((affine[0, c] * affine[0, c]) + (affine[1, c] * affine[1, c]) + (affine[2, c] * affine[2, c]));
            // Zero-length columns stay zero (nibabel sets their zoom to 1 before dividing).
            if (norm == 0)
            {
                norm = 1;
            }
            for (int r = 0; r < 3; r++)
            {
                rs[(r * 3) + c] = affine[r, c] / norm;
            }
        }
        double[] rot = Matrix3.NearestOrthogonal(rs);
        for (int inAxis = 0; inAxis < 3; inAxis++)
        {
            int best = -1;
            double bestAbs = 0;
            bool allClose = true;
            for (int r = 0; r < 3; r++)
            {
                double v = rot[(r * 3) + inAxis];
                // numpy.allclose(col, 0) uses atol 1e-8.
                if (Math.Abs(v) > 1e-8)
                {
                    allClose = false;
                }
                if (Math.Abs(v) > bestAbs)
                {
                    bestAbs = Math.Abs(v);
                    best = r;
                }
            }
            if (allClose || best < 0)
            {
                result[inAxis] = (-1, 0);
                continue;
            }
            result[inAxis] = (best, rot[(best * 3) + inAxis] < 0 ? -1 : 1);
            for (int c = 0; c < 3; c++)
            {
                rot[(best * 3) + c] = 0;
            }
        }
        return result;
    }

    /// <summary>
    /// The three-letter code naming where each voxel axis points (e.g. <c>"RAS"</c>, <c>"LIA"</c>), as
    /// <c>''.join(nibabel.aff2axcodes(affine))</c>; a collapsed axis is <c>'?'</c>.
    /// </summary>
    public static string AxisCodes(Affine affine)
    {
        var ornt = IoOrientation(affine);
        var codes = new char[3];
        for (int i = 0; i < 3; i++)
        {
            var (axis, dir) = ornt[i];
            codes[i] = axis < 0 ? '?' : Labels[axis, dir < 0 ? 0 : 1];
        }
        return new string(codes);
    }
}
