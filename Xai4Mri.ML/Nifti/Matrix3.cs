namespace Xai4Mri.ML.Nifti;

/// <summary>3×3 linear algebra needed for orientations and quaternions (row-major <c>double[9]</c>).</summary>
internal static class Matrix3
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Singular value decomposition A = U·diag(S)·Vᵀ by one-sided Jacobi rotations. Jacobi is used because it is
    /// exact to rounding for 3×3 and has no special cases for rank-deficient input.
    /// </summary>
    public static (double[] U, double[] S, double[] V) Svd(ReadOnlySpan<double> a)
    {
        var u = a.ToArray();
        var v = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        for (int sweep = 0; sweep < 60; sweep++)
        {
            double off = 0;
            for (int p = 0; p < 2; p++)
            {
                for (int q = p + 1; q < 3; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int r = 0; r < 3; r++)
                    {
                        alpha += u[(r * 3) + p] * u[(r * 3) + p];
                        beta += u[(r * 3) + q] * u[(r * 3) + q];
                        gamma += u[(r * 3) + p] * u[(r * 3) + q];
                    }
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-300)
                    {
                        continue;
                    }
                    off = Math.Max(off, Math.Abs(gamma) / Math.Sqrt(alpha * beta));
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1.0 : -1.0) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    double c = 1 / Math.Sqrt(1 + (t * t));
                    double s = c * t;
                    Rotate(u, p, q, c, s);
                    Rotate(v, p, q, c, s);
                }
            }
            if (off < 1e-15)
            {
                break;
            }
        }
        var sv = new double[3];
        for (int c = 0; c < 3; c++)
        {
            double n = Math.Sqrt((u[c] * u[c]) + (u[3 + c] * u[3 + c]) + (u[6 + c] * u[6 + c]));
            sv[c] = n;
            if (n > 0)
            {
                for (int r = 0; r < 3; r++)
                {
                    u[(r * 3) + c] /= n;
                }
            }
        }
        return (u, sv, v);
    }

    private static void Rotate(double[] m, int p, int q, double c, double s)
    {
        for (int r = 0; r < 3; r++)
        {
            double mp = m[(r * 3) + p], mq = m[(r * 3) + q];
            m[(r * 3) + p] = (c * mp) - (s * mq);
            m[(r * 3) + q] = (s * mp) + (c * mq);
        }
    }

    /// <summary>Determinant.</summary>
    public static double Determinant(ReadOnlySpan<double> m) =>
        (m[0] * ((m[4] * m[8]) - (m[5] * m[7])))
        - (m[1] * ((m[3] * m[8]) - (m[5] * m[6])))
        + (m[2] * ((m[3] * m[7]) - (m[4] * m[6])));

    /// <summary>
    /// The orthogonal matrix nearest to A (U·Vᵀ over the singular values above a tolerance), as nibabel's
    /// <c>io_orientation</c> computes it; rank-deficient directions become zero columns.
    /// </summary>
    public static double[] NearestOrthogonal(ReadOnlySpan<double> a)
    {
        var (u, s, v) = Svd(a);
        // numpy's finfo(float64).eps times the matrix size, as io_orientation thresholds singular values.
        double tol = s.Max() * 3 * MachineEpsilon;
        var r = new double[9];
        for (int k = 0; k < 3; k++)
        {
            if (!(s[k] > tol))
            {
                continue;
            }
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    r[(i * 3) + j] += u[(i * 3) + k] * v[(j * 3) + k];
                }
            }
        }
        return r;
    }
}
