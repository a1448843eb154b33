using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Training;

/// <summary>Applies <see cref="AugmentationOptions"/> to one image in place, with draws from a given generator.</summary>
internal static class Augmentation
{
    public static void Apply(Span<float> image, int[] shape, AugmentationOptions options, SplitRandom random, float[] scratch)
    {
        bool flip = options.FlipProbability > 0 && Uniform(random) < options.FlipProbability;
        int[] shift = new int[3];
        for (int a = 0; a < 3 && options.MaxShift > 0; a++)
        {
            shift[a] = random.NextInt((2 * options.MaxShift) + 1) - options.MaxShift;
        }
        double factor = options.IntensityJitter > 0 ? 1 + (options.IntensityJitter * ((2 * Uniform(random)) - 1)) : 1;
        if (flip || shift.Any(s => s != 0))
        {
            Move(image, shape, flip ? options.LeftRightAxis : -1, shift, scratch);
        }
        if (factor != 1)
        {
            foreach (ref float v in image)
            {
                v = (float)(v * factor);
            }
        }
    }

    private static double Uniform(SplitRandom random) => (random.NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Mirrors axis <paramref name="flipAxis"/> (−1: none) and shifts by <paramref name="shift"/>, filling with 0.</summary>
    private static void Move(Span<float> image, int[] shape, int flipAxis, int[] shift, float[] scratch)
    {
        var output = scratch.AsSpan(0, image.Length);
        output.Clear();
        int d = shape[0], h = shape[1], w = shape[2];
        for (int z = 0; z < d; z++)
        {
            int sz = Source(z, 0);
            if (sz < 0)
            {
                continue;
            }
            for (int y = 0; y < h; y++)
            {
                int sy = Source(y, 1);
                if (sy < 0)
                {
                    continue;
                }
                for (int x = 0; x < w; x++)
                {
                    int sx = Source(x, 2);
                    if (sx >= 0)
                    {
                        output[(((z * h) + y) * w) + x] = image[(((sz * h) + sy) * w) + sx];
                    }
                }
            }
        }
        output.CopyTo(image);

        // The voxel that lands at index i along an axis: shift first, then mirror; −1 when it comes from outside.
        int Source(int i, int axis)
        {
            int n = shape[axis];
            int s = i - shift[axis];
            if (s < 0 || s >= n)
            {
                return -1;
            }
            return axis == flipAxis ? n - 1 - s : s;
        }
    }
}
