namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose sequence for a seed is fixed forever, unlike
/// <see cref="Random"/>, whose algorithm .NET may change between versions; a split must be reproducible from its seed.
/// </summary>
internal sealed class SplitRandom
{
    private ulong _state;

    public SplitRandom(int seed)
    {
        _state = unchecked((ulong)seed);
    }

    public SplitRandom(long seed)
    {
        _state = unchecked((ulong)seed);
    }

    public ulong NextUInt64()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias (rejection of the short top range).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong b = (ulong)bound;
        ulong threshold = unchecked(0UL - b) % b;
        ulong r;
        do
        {
            r = NextUInt64();
        }
        while (r < threshold);
        return (int)(r % b);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
