using System.Globalization;

namespace Xai4Mri.ML.Nifti;

/// <summary>An immutable 4×4 voxel-to-world matrix (row-major; world in millimetres, RAS+ as in NIfTI).</summary>
public sealed class Affine : IEquatable<Affine>
{
    private readonly double[] _m;

    /// <summary>Creates an affine from 16 values in row-major order.</summary>
    public Affine(ReadOnlySpan<double> rowMajor)
    {
        if (rowMajor.Length != 16)
        {
            throw new ArgumentException($"an affine needs 16 values, got {rowMajor.Length}", nameof(rowMajor));
        }
        _m = rowMajor.ToArray();
    }

    /// <summary>The identity transform.</summary>
    public static Affine Identity { get; } = new([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

    /// <summary>Element at <paramref name="row"/>, <paramref name="column"/> (0-based).</summary>
    public double this[int row, int column] => _m[(row * 4) + column];

    /// <summary>Builds an affine from a 3×3 linear part (row-major) and a translation.</summary>
    public static Affine FromLinearAndTranslation(ReadOnlySpan<double> linear3x3, ReadOnlySpan<double> translation)
    {
        if (linear3x3.Length != 9 || translation.Length != 3)
        {
            throw new ArgumentException("expected 9 linear values and 3 translations");
        }
        Span<double> m = stackalloc double[16];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                m[(r * 4) + c] = linear3x3[(r * 3) + c];
            }
            m[(r * 4) + 3] = translation[r];
        }
        m[15] = 1;
        return new Affine(m);
    }

    /// <summary>The 16 values in row-major order.</summary>
    public double[] ToRowMajor() => (double[])_m.Clone();

    /// <summary>The matrix as four rows of four values (the shape of nibabel's <c>img.affine.tolist()</c>).</summary>
    public double[][] ToRows() => [_m[0..4], _m[4..8], _m[8..12], _m[12..16]];

    /// <summary>Voxel sizes implied by the affine: the lengths of the first three columns.</summary>
    public double[] ColumnNorms()
    {
        var norms = new double[3];
        for (int c = 0; c < 3; c++)
        {
            norms[c] = Math.Sqrt((this[0, c] * this[0, c]) + (this[1, c] * this[1, c]) + (this[2, c] * this[2, c]));
        }
        return norms;
    }

    /// <summary>Matrix product <c>this · other</c>.</summary>
    public Affine Multiply(Affine other)
    {
        Span<double> m = stackalloc double[16];
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                double s = 0;
                for (int k = 0; k < 4; k++)
                {
                    s += this[r, k] * other[k, c];
                }
                m[(r * 4) + c] = s;
            }
        }
        return new Affine(m);
    }

    /// <summary>The inverse transform (world to voxel).</summary>
    /// <exception cref="InvalidOperationException">The linear part is singular.</exception>
    public Affine Inverse()
    {
        double a = this[0, 0], b = this[0, 1], c = this[0, 2];
        double d = this[1, 0], e = this[1, 1], f = this[1, 2];
        double g = this[2, 0], h = this[2, 1], k = this[2, 2];
        double det = (a * ((e * k) - (f * h))) - (b * ((d * k) - (f * g))) + (c * ((d * h) - (e * g)));
        if (det == 0 || !double.IsFinite(det))
        {
            throw new InvalidOperationException($"the affine is singular and has no inverse:\n{this}");
        }
        double[] inv =
        [
            ((e * k) - (f * h)) / det, ((c * h) - (b * k)) / det, ((b * f) - (c * e)) / det,
            ((f * g) - (d * k)) / det, ((a * k) - (c * g)) / det, ((c * d) - (a * f)) / det,
            ((d * h) - (e * g)) / det, ((b * g) - (a * h)) / det, ((a * e) - (b * d)) / det,
        ];
        var t = new double[3];
        for (int r = 0; r < 3; r++)
        {
            t[r] = -((inv[r * 3] * this[0, 3]) + (inv[(r * 3) + 1] * this[1, 3]) + (inv[(r * 3) + 2] * this[2, 3]));
        }
        return FromLinearAndTranslation(inv, t);
    }

    /// <summary>Maps a voxel coordinate (i, j, k) to world coordinates.</summary>
    public (double X, double Y, double Z) Apply(double i, double j, double k) => (
        (this[0, 0] * i) + (this[0, 1] * j) + (this[0, 2] * k) + this[0, 3],
        (this[1, 0] * i) + (this[1, 1] * j) + (this[1, 2] * k) + this[1, 3],
        (this[2, 0] * i) + (this[2, 1] * j) + (this[2, 2] * k) + this[2, 3]);

    /// <summary>Whether every element differs from <paramref name="other"/>'s by at most <paramref name="tolerance"/>.</summary>
    public bool ApproximatelyEquals(Affine other, double tolerance)
    {
        for (int i = 0; i < 16; i++)
        {
            if (!(Math.Abs(_m[i] - other._m[i]) <= tolerance))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Affine? other) => other is not null && _m.AsSpan().SequenceEqual(other._m);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Affine);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double v in _m)
        {
            hash.Add(v);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(
        Environment.NewLine,
        ToRows().Select(row => "[" + string.Join(", ", row.Select(Format)) + "]"));

    // Rounds for display and drops the sign of values that round to zero ("-0" reads like an error).
    private static string Format(double v)
    {
        string s = v.ToString("0.####", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }
}
