namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Trilinear intensity at world positions (mm) of a volume, whatever its axis order, directions or voxel sizes:
/// the surface models work in millimetres and ask the grid only through this class.
/// </summary>
internal sealed class WorldSampler
{
    private readonly float[] _data;
    private readonly int _n0, _n1, _n2;
    private readonly double[] _toIndex = new double[12];

    public WorldSampler(Volume volume)
    {
        _n0 = volume.Shape[0];
        _n1 = volume.Shape[1];
        _n2 = volume.Shape[2];
        _data = Sanitised(volume.Data);
        var inverse = volume.Affine.Inverse();
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                _toIndex[(r * 4) + c] = inverse[r, c];
            }
        }
    }

    /// <summary>The voxels with non-finite values read as 0 (a copy only when there are any: the caller's array is never changed).</summary>
    public float[] Data => _data;

    /// <summary>Continuous voxel index of a world point.</summary>
    public (double I, double J, double K) ToIndex(double x, double y, double z)
    {
        double[] m = _toIndex;
        return (
            (m[0] * x) + (m[1] * y) + (m[2] * z) + m[3],
            (m[4] * x) + (m[5] * y) + (m[6] * z) + m[7],
            (m[8] * x) + (m[9] * y) + (m[10] * z) + m[11]);
    }

    /// <summary>A world displacement (mm) as a displacement in continuous voxel index.</summary>
    public (double I, double J, double K) DirectionToIndex(double x, double y, double z)
    {
        double[] m = _toIndex;
        return (
            (m[0] * x) + (m[1] * y) + (m[2] * z),
            (m[4] * x) + (m[5] * y) + (m[6] * z),
            (m[8] * x) + (m[9] * y) + (m[10] * z));
    }

    /// <summary>Trilinear value at a world point; 0 outside the grid (the field of view holds no signal beyond it).</summary>
    public double Sample(double x, double y, double z)
    {
        var (i, j, k) = ToIndex(x, y, z);
        return SampleIndex(i, j, k);
    }

    /// <summary>True when a continuous voxel index lies within the grid (between the first and last voxel centres).</summary>
    public bool Contains(double i, double j, double k) => i >= 0 && j >= 0 && k >= 0 && i <= _n0 - 1 && j <= _n1 - 1 && k <= _n2 - 1;

    /// <summary>Trilinear value at a continuous voxel index; 0 outside the grid.</summary>
    public double SampleIndex(double i, double j, double k)
    {
        if (!Contains(i, j, k))
        {
            return 0;
        }
        int i0 = Math.Min((int)i, Math.Max(0, _n0 - 2));
        int j0 = Math.Min((int)j, Math.Max(0, _n1 - 2));
        int k0 = Math.Min((int)k, Math.Max(0, _n2 - 2));
        double fi = i - i0, fj = j - j0, fk = k - k0;
        int di = _n0 > 1 ? _n1 * _n2 : 0, dj = _n1 > 1 ? _n2 : 0, dk = _n2 > 1 ? 1 : 0;
        int o = (((i0 * _n1) + j0) * _n2) + k0;
        float[] d = _data;
        double c00 = d[o] + (fk * (d[o + dk] - d[o]));
        double c01 = d[o + dj] + (fk * (d[o + dj + dk] - d[o + dj]));
        double c10 = d[o + di] + (fk * (d[o + di + dk] - d[o + di]));
        double c11 = d[o + di + dj] + (fk * (d[o + di + dj + dk] - d[o + di + dj]));
        double c0 = c00 + (fj * (c01 - c00));
        double c1 = c10 + (fj * (c11 - c10));
        return c0 + (fi * (c1 - c0));
    }

    private static float[] Sanitised(float[] data)
    {
        int first = 0;
        while (first < data.Length && float.IsFinite(data[first]))
        {
            first++;
        }
        if (first == data.Length)
        {
            return data;
        }
        var copy = (float[])data.Clone();
        for (int i = first; i < copy.Length; i++)
        {
            if (!float.IsFinite(copy[i]))
            {
                copy[i] = 0;
            }
        }
        return copy;
    }
}
