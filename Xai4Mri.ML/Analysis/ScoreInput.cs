using System.Globalization;

namespace Xai4Mri.ML.Analysis;

/// <summary>Checks shared by the transferability scores and the validation statistics, with messages that name the argument and the problem.</summary>
internal static class ScoreInput
{
    /// <summary>Feature rows must match <paramref name="rows"/>, be at least 2, have columns and hold finite values.</summary>
    /// <exception cref="ArgumentException">Otherwise; the message names <paramref name="score"/>.</exception>
    public static void Features(double[,] features, int rows, string rowsName, string score)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.GetLength(0), d = features.GetLength(1);
        if (n != rows)
        {
            throw new ArgumentException($"features has {n} rows but {rowsName} has {rows} values; they must match.", rowsName);
        }
        if (n < 2)
        {
            throw new ArgumentException($"{score} needs at least 2 samples; features has {n} row(s).", nameof(features));
        }
        if (d < 1)
        {
            throw new ArgumentException("features has no columns.", nameof(features));
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (!double.IsFinite(features[i, j]))
                {
                    throw new ArgumentException($"features[{i},{j}] is {Invariant(features[i, j])}; {score} needs finite values.", nameof(features));
                }
            }
        }
    }

    /// <summary>
    /// Class labels in 0 .. <paramref name="classCount"/> − 1, at least 2 classes, every one of them occurring: a class
    /// without samples, or a single class, leaves nothing for a score to separate.
    /// </summary>
    /// <returns>The number of samples per class.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> below 2.</exception>
    /// <exception cref="ArgumentException">A label out of range, or a class without samples.</exception>
    public static int[] Classes(int[] labels, int classCount, string paramName, string countName)
    {
        ArgumentNullException.ThrowIfNull(labels, paramName);
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(countName, classCount, $"{countName} is {classCount}; a score over classes needs at least 2.");
        }
        int[] counts = new int[classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentException($"{paramName}[{i}] is {labels[i]}, outside 0..{classCount - 1}.", paramName);
            }
            counts[labels[i]]++;
        }
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0)
        {
            throw new ArgumentException($"class {empty} has no samples; every class in 0..{classCount - 1} must occur in {paramName}.", paramName);
        }
        return counts;
    }

    /// <summary>Every value finite.</summary>
    /// <exception cref="ArgumentException">The first value that is not, by index.</exception>
    public static void Finite(IReadOnlyList<double> values, string paramName, string score)
    {
        ArgumentNullException.ThrowIfNull(values, paramName);
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{paramName}[{i}] is {Invariant(values[i])}; {score} needs finite values.", paramName);
            }
        }
    }

    /// <summary>Single-precision rows (as ML.NET vector columns give them) widened to a matrix.</summary>
    /// <exception cref="ArgumentException">Ragged rows.</exception>
    public static double[,] Matrix(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows, "features");
        int d = rows.Length == 0 || rows[0] is null ? 0 : rows[0].Length;
        var m = new double[rows.Length, d];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] is null || rows[i].Length != d)
            {
                throw new ArgumentException($"features[{i}] has {rows[i]?.Length.ToString(CultureInfo.InvariantCulture) ?? "no"} values but features[0] has {d}; rows must have equal length.", "features");
            }
            for (int j = 0; j < d; j++)
            {
                m[i, j] = rows[i][j];
            }
        }
        return m;
    }

    // Messages read the same whatever the current culture ("NaN", "Infinity").
    public static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
