namespace Xai4Mri.ML.Volumes;

/// <summary>
/// The exact Euclidean distance transform of Felzenszwalb and Huttenlocher (2012), "Distance transforms of sampled
/// functions" (Theory of Computing 8:415–428): the lower envelope of parabolas, one axis after the other, with each
/// axis's voxel spacing in millimetres, so anisotropic voxels get true distances.
/// </summary>
internal static class DistanceTransform
{
    // Stands for "no voxel of the set on this line yet": finite, so the parabola intersections stay finite.
    private const double Far = 1e20;

    /// <summary>
    /// Squared distance (mm²) from each voxel centre to the nearest voxel centre of the set (0 on the set); about
    /// 1e20 everywhere when the set is empty.
    /// </summary>
    public static double[] SquaredToSet(bool[] set, int[] shape, double[] spacing, ParallelOptions parallel)
    {
        var d = new double[set.Length];
        for (int i = 0; i < set.Length; i++)
        {
            d[i] = set[i] ? 0 : Far;
        }
        int[] strides = [shape[1] * shape[2], shape[2], 1];
        for (int axis = 2; axis >= 0; axis--)
        {
            int length = shape[axis], stride = strides[axis];
            double h = spacing[axis];
            int lines = set.Length / length;
            // The lines along an axis are the voxels whose index along it is 0; each is transformed on its own.
            int a0 = axis == 0 ? 1 : 0, a1 = axis == 2 ? 1 : 2;
            int n1 = shape[a1];
            Parallel.For(0, lines, parallel, () => new Line(length), (line, _, buffer) =>
            {
                int start = ((line / n1) * strides[a0]) + ((line % n1) * strides[a1]);
                buffer.Transform(d, start, stride, h);
                return buffer;
            }, _ => { });
        }
        return d;
    }

    /// <summary>One line's lower envelope, with reusable buffers.</summary>
    private sealed class Line(int length)
    {
        private readonly double[] _f = new double[length];
        private readonly int[] _v = new int[length];
        private readonly double[] _z = new double[length + 1];

        public void Transform(double[] d, int start, int stride, double h)
        {
            int n = _f.Length;
            for (int q = 0; q < n; q++)
            {
                _f[q] = d[start + (q * stride)];
            }
            int k = 0;
            _v[0] = 0;
            _z[0] = double.NegativeInfinity;
            _z[1] = double.PositiveInfinity;
            for (int q = 1; q < n; q++)
            {
                // Drop the parabolas that the one from q hides; z[0] = −∞ keeps the first.
                double s = Intersection(q, _v[k], h);
                while (s <= _z[k])
                {
                    k--;
                    s = Intersection(q, _v[k], h);
                }
                k++;
                _v[k] = q;
                _z[k] = s;
                _z[k + 1] = double.PositiveInfinity;
            }
            k = 0;
            for (int q = 0; q < n; q++)
            {
                while (_z[k + 1] < q)
                {
                    k++;
                }
                double dq = h * (q - _v[k]);
                d[start + (q * stride)] = (dq * dq) + _f[_v[k]];
            }
        }

        /// <summary>Where, in voxels along the line, the parabola from q drops below the one from p.</summary>
        private double Intersection(int q, int p, double h) =>
            ((_f[q] + (h * h * q * q)) - (_f[p] + (h * h * p * p))) / (2 * h * h * (q - p));
    }
}
