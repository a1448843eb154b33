using System.Runtime.InteropServices;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Analysis;

/// <summary>Histograms of the non-zero voxel intensities per group of images (e.g. per site), on shared bins, in one pass.</summary>
/// <remarks>
/// <para>
/// Only voxels that are finite and not exactly 0 count: 0 is the background outside the brain, and it would swamp the
/// tissue intensities. The shared bins span the pooled 0.5th to 99.5th percentile (NumPy's linear interpolation), so a
/// few extreme voxels do not squeeze the tissue peaks into a couple of bins; voxels outside that range are left out
/// (as <c>numpy.histogram</c> with a <c>range</c> does) rather than piled into the end bins. Each group's density is
/// normalised over its own counted voxels and integrates to 1, so sites of different sizes compare by shape.
/// </para>
/// <para>
/// Streaming: the images are enumerated once and no image is kept. Loading an image is the expensive part (a NIfTI
/// read, reorientation, resampling), so a second pass over a re-enumerable sequence would double the cost; instead
/// each group keeps a uniform random sample of at most <see cref="SampleCapacity"/> of its voxels (reservoir sampling,
/// Li's Algorithm L, seeded, so the result is deterministic), and one more reservoir samples the pooled voxels for the
/// percentiles. Memory is bounded by the number of groups, not of images or voxels. When a group has no more voxels
/// than the capacity, its reservoir holds all of them and the histogram is exact; beyond that, 2^18 samples put each
/// bin's density within a fraction of a percent of its exact value, far below what a plot shows.
/// </para>
/// </remarks>
internal static class IntensityHistograms
{
    /// <summary>The most voxels kept per group (and for the pooled percentiles): 1 MiB of floats each.</summary>
    internal const int SampleCapacity = 1 << 18;

    // Any fixed seed: the sample must be the same on every run.
    private const int Seed = 20251203;

    /// <summary>One histogram per group, in order of each group's first image, on bins shared by all groups.</summary>
    /// <param name="images">Each image's group and voxels; enumerated once.</param>
    /// <param name="bins">Number of bins, at least 1.</param>
    /// <returns>One <see cref="IntensityHistogram"/> per group; a group whose images hold no counted voxel has an all-zero density.</returns>
    /// <exception cref="ArgumentException">A null group name or voxel array, or no finite non-zero voxel in any image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is less than 1.</exception>
    internal static IReadOnlyList<IntensityHistogram> Compute(IEnumerable<(string Group, float[] Voxels)> images, int bins = 64) =>
        Compute(images, bins, SampleCapacity);

    /// <summary>As <see cref="Compute(IEnumerable{ValueTuple{string, float[]}}, int)"/> with a given sample size per group (tests use a small one).</summary>
    internal static IReadOnlyList<IntensityHistogram> Compute(IEnumerable<(string Group, float[] Voxels)> images, int bins, int sampleCapacity)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCapacity, 1);

        var groups = new List<(string Name, Reservoir Sample)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var pooled = new Reservoir(sampleCapacity, new Random(Seed));
        int imageNumber = 0;
        foreach (var (group, voxels) in images)
        {
            if (group is null)
            {
                throw new ArgumentException($"image {imageNumber} has no group name", nameof(images));
            }
            if (voxels is null)
            {
                throw new ArgumentException($"image {imageNumber} (group '{group}') has no voxel array", nameof(images));
            }
            if (!index.TryGetValue(group, out int g))
            {
                g = groups.Count;
                index.Add(group, g);
                // One generator per group, seeded by its order of appearance: a group's sample does not depend on the others' voxels.
                groups.Add((group, new Reservoir(sampleCapacity, new Random(Seed + 1 + g))));
            }
            var sample = groups[g].Sample;
            foreach (float v in voxels)
            {
                if (v != 0 && float.IsFinite(v))
                {
                    sample.Add(v);
                    pooled.Add(v);
                }
            }
            imageNumber++;
        }
        if (pooled.Seen == 0)
        {
            throw new ArgumentException(
                imageNumber == 0 ? "there are no images to histogram" : $"none of the {imageNumber} images has a finite non-zero voxel", nameof(images));
        }

        var (low, high) = Range(pooled.Values);
        double width = (high - low) / bins;
        double[] centres = [.. Enumerable.Range(0, bins).Select(b => low + ((b + 0.5) * width))];
        // Each record gets its own copy of the centres: with one shared array, editing one group's would edit all.
        return [.. groups.Select(g => new IntensityHistogram(g.Name, (double[])centres.Clone(), Density(g.Sample.Values, low, high, bins)))];
    }

    /// <summary>The pooled 0.5th and 99.5th percentiles; a small interval around the value when they coincide.</summary>
    private static (double Low, double High) Range(Span<float> values)
    {
        double low = IntensityScaling.Percentile(values, 0.5);
        double high = IntensityScaling.Percentile(values, 99.5);
        if (high > low)
        {
            return (low, high);
        }
        // One intensity (e.g. a binary mask): centre a bin range of ±5 % on it so the plot still shows one peak.
        double half = Math.Abs(low) * 0.05;
        return (low - half, high + half);
    }

    /// <summary>Counts per bin (the last bin includes the upper edge) divided by the counted voxels and the bin width.</summary>
    private static double[] Density(ReadOnlySpan<float> values, double low, double high, int bins)
    {
        var counts = new long[bins];
        long total = 0;
        double width = (high - low) / bins;
        foreach (float v in values)
        {
            if (v < low || v > high)
            {
                continue;
            }
            int b = Math.Min((int)((v - low) / width), bins - 1);
            counts[b]++;
            total++;
        }
        return total == 0 ? new double[bins] : [.. counts.Select(c => c / (total * width))];
    }

    /// <summary>A uniform sample of at most a fixed number of the values added (Li, 1994, "Algorithm L").</summary>
    /// <remarks>
    /// Algorithm L draws how many values to skip before the next replacement instead of a random number per value, so
    /// the cost after the reservoir fills is O(capacity · log(seen / capacity)) random draws, not one per voxel.
    /// </remarks>
    private sealed class Reservoir
    {
        // Grows up to the capacity, so small inputs do not allocate the full sample.
        private readonly List<float> _values = [];
        private readonly int _capacity;
        private readonly Random _random;
        private double _w;
        private long _next;

        public Reservoir(int capacity, Random random)
        {
            _capacity = capacity;
            _random = random;
            _w = Math.Exp(Math.Log(Open(random)) / capacity);
            // 0-based index of the first value that replaces one in the full reservoir.
            _next = capacity + Skip(random, _w);
        }

        /// <summary>How many values were added.</summary>
        public long Seen { get; private set; }

        /// <summary>The sample: all values added while fewer than the capacity were seen.</summary>
        public Span<float> Values => CollectionsMarshal.AsSpan(_values);

        public void Add(float value)
        {
            if (Seen < _capacity)
            {
                _values.Add(value);
            }
            else if (Seen == _next)
            {
                _values[_random.Next(_capacity)] = value;
                _w *= Math.Exp(Math.Log(Open(_random)) / _capacity);
                _next += 1 + Skip(_random, _w);
            }
            Seen++;
        }

        private static long Skip(Random random, double w)
        {
            double skip = Math.Floor(Math.Log(Open(random)) / Math.Log(1 - w));
            // w shrinks as values stream by; once 1 − w rounds to 1 the division is infinite. A skip past any image set is as good.
            return double.IsFinite(skip) ? (long)Math.Min(skip, long.MaxValue / 2) : long.MaxValue / 2;
        }

        // In (0, 1): log(0) would be −∞.
        private static double Open(Random random) => 1 - random.NextDouble();
    }
}
