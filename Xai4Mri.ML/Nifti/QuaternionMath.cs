namespace Xai4Mri.ML.Nifti;

/// <summary>Conversions between the NIfTI qform quaternion (b, c, d with a ≥ 0) and rotation matrices.</summary>
internal static class QuaternionMath
{
    /// <summary>
    /// Completes (b, c, d) to a unit quaternion with a = sqrt(1 − b² − c² − d²). When b² + c² + d² exceeds 1
    /// (rounding, or a damaged header) the vector is renormalised with a = 0, as nifti_clib does, instead of failing.
    /// </summary>
    public static (double A, double B, double C, double D) Complete(double b, double c, double d)
    {
        double w2 = 1.0 - ((b * b) + (c * c) + (d * d));
        if (w2 >= 0)
        {
            return (Math.Sqrt(w2), b, c, d);
        }
        double n = Math.Sqrt((b * b) + (c * c) + (d * d));
        return double.IsFinite(n) && n > 0 ? (0, b / n, c / n, d / n) : (1, 0, 0, 0);
    }

    /// <summary>Rotation matrix (row-major 3×3) of a quaternion; non-unit quaternions are normalised.</summary>
    public static double[] ToRotation(double w, double x, double y, double z)
    {
        double nq = (w * w) + (x * x) + (y * y) + (z * z);
        if (!(nq >= 1e-300) || !double.IsFinite(nq))
        {
            return [1, 0, 0, 0, 1, 0, 0, 0, 1];
        }
        double s = 2.0 / nq;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        return
        [
            1.0 - (yy + zz), xy - wz, xz + wy,
            xy + wz, 1.0 - (xx + zz), yz - wx,
            xz - wy, yz + wx, 1.0 - (xx + yy),
        ];
    }

    /// <summary>
    /// Decomposes the linear part of an affine into qform parameters: voxel sizes, qfac and a rotation quaternion
    /// (b, c, d, with a ≥ 0). Shears cannot be represented; the nearest rotation is used, as nifti_clib does.
    /// </summary>
    public static (double B, double C, double D, double Qfac, double[] Zooms) FromAffine(Affine affine)
    {
        var m = new double[9];
        double[] zooms = affine.ColumnNorms();
        for (int c = 0; c < 3; c++)
        {
            if (zooms[c] == 0)
            {
                zooms[c] = 1;
            }
            for (int r = 0; r < 3; r++)
            {
                m[(r * 3) + c] = affine[r, c] / zooms[c];
            }
        }
        double qfac = 1;
        if (Matrix3.Determinant(m) < 0)
        {
            qfac = -1;
            for (int r = 0; r < 3; r++)
            {
                m[(r * 3) + 2] = -m[(r * 3) + 2];
            }
        }
        double[] rot = Matrix3.NearestOrthogonal(m);
        if (Matrix3.Determinant(rot) <= 0.5)
        {
            // A degenerate linear part (e.g. two identical columns) has no rotation; fall back to identity.
            rot = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        }
        var (a, b, c2, d) = FromRotation(rot);
        if (a < 0)
        {
            (b, c2, d) = (-b, -c2, -d);
        }
        return (b, c2, d, qfac, zooms);
    }

    private static (double A, double B, double C, double D) FromRotation(double[] r)
    {
        double trace = r[0] + r[4] + r[8];
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1.0) * 2;
            return (0.25 * s, (r[7] - r[5]) / s, (r[2] - r[6]) / s, (r[3] - r[1]) / s);
        }
        if (r[0] > r[4] && r[0] > r[8])
        {
            double s = Math.Sqrt(1.0 + r[0] - r[4] - r[8]) * 2;
            return ((r[7] - r[5]) / s, 0.25 * s, (r[1] + r[3]) / s, (r[2] + r[6]) / s);
        }
        if (r[4] > r[8])
        {
            double s = Math.Sqrt(1.0 + r[4] - r[0] - r[8]) * 2;
            return ((r[2] - r[6]) / s, (r[1] + r[3]) / s, 0.25 * s, (r[5] + r[7]) / s);
        }
        double t = Math.Sqrt(1.0 + r[8] - r[0] - r[4]) * 2;
        return ((r[3] - r[1]) / t, (r[2] + r[6]) / t, (r[5] + r[7]) / t, 0.25 * t);
    }
}
