namespace Xai4Mri.ML.Volumes;

/// <summary>xai4mri's intensity handling: percentile clipping over non-background voxels and scaling to [0, 255].</summary>
public static class IntensityScaling
{
    /// <summary>
    /// The q-th percentile (0–100) of <paramref name="values"/> with NumPy's default linear interpolation; NaN when
    /// there are no values. The span is reordered (selection, not a full sort).
    /// </summary>
    public static double Percentile(Span<float> values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        double rank = q / 100 * (values.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, values.Length - 1);
        float a = Select(values, lo);
        if (hi == lo || rank == lo)
        {
            return a;
        }
        // After selecting lo, every value right of it is >= it; the next order statistic is their minimum.
        float b = float.PositiveInfinity;
        foreach (float v in values[(lo + 1)..])
        {
            b = Math.Min(b, v);
        }
        return a + ((b - a) * (rank - lo));
    }

    /// <summary>
    /// xai4mri's clip bounds for one image: upper = the <paramref name="percentile"/>-th percentile of voxels that are
    /// neither background nor NaN, lower = min(background, the (100 − percentile)-th percentile), both rounded to
    /// 4 decimals as xai4mri does. Null when the image is all background.
    /// </summary>
    public static (float Min, float Max)? ClipRange(ReadOnlySpan<float> data, double percentile = 99.99, float background = 0)
    {
        var values = new List<float>(data.Length / 4);
        foreach (float v in data)
        {
            if (v != background && !float.IsNaN(v))
            {
                values.Add(v);
            }
        }
        if (values.Count == 0)
        {
            return null;
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values);
        double max = Math.Round(Percentile(span, percentile), 4);
        double min = Math.Min(background, Math.Round(Percentile(span, 100 - percentile), 4));
        return ((float)min, (float)max);
    }

    /// <summary>
    /// Clips to [<paramref name="min"/>, <paramref name="max"/>] and maps that range linearly onto [0, 255], in place;
    /// with <paramref name="roundToUInt8"/> the result is rounded half-to-even like NumPy's <c>np.round</c> before
    /// xai4mri stores uint8.
    /// </summary>
    public static void ClipAndScale(Span<float> data, float min, float max, bool roundToUInt8)
    {
        if (!(max > min))
        {
            data.Clear();
            return;
        }
        double scale = 255.0 / (max - min);
        for (int i = 0; i < data.Length; i++)
        {
            double v = (Math.Clamp(data[i], min, max) - min) * scale;
            data[i] = roundToUInt8 ? (float)Math.Round(v, MidpointRounding.ToEven) : (float)v;
        }
    }

    private static float Select(Span<float> a, int k)
    {
        int left = 0, right = a.Length - 1;
        var rng = new Random(k);
        while (left < right)
        {
            float pivot = a[rng.Next(left, right + 1)];
            int i = left, j = right;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }
                while (a[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return a[k];
            }
        }
        return a[k];
    }
}
