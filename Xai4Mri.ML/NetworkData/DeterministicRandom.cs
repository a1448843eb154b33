namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// xoshiro256** seeded through SplitMix64: independent streams of numbers and normals per (seed, subject, purpose),
/// for the synthetic cohorts and the noise of SmoothGrad (<see cref="SplitRandom"/> draws indices for splits and
/// shuffles). Our own generator rather than <see cref="Random"/> because a cohort must come out byte-identical for
/// a seed on every .NET version, and independent streams keep parallel work deterministic.
/// </summary>
internal struct DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>A generator for one purpose of one subject; streams for different keys are independent.</summary>
    public DeterministicRandom(int seed, int subject, RandomStream stream)
    {
        ulong mix = (ulong)(uint)seed;
        mix = Mix(mix ^ (0x9E3779B97F4A7C15UL * (ulong)(uint)(subject + 1)));
        mix = Mix(mix ^ (0xD1B54A32D192ED03UL * (ulong)((int)stream + 1)));
        _s0 = SplitMix(ref mix);
        _s1 = SplitMix(ref mix);
        _s2 = SplitMix(ref mix);
        _s3 = SplitMix(ref mix);
        _spareNormal = 0;
        _hasSpare = false;
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Standard normal deviate (Marsaglia's polar method; the second deviate of each pair is kept).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Normal deviate with the given mean and standard deviation.</summary>
    public double Normal(double mean, double sd) => mean + (sd * NextNormal());

    /// <summary>Poisson deviate (Knuth's product method; fine for the small means used here).</summary>
    public int Poisson(double mean)
    {
        double limit = Math.Exp(-mean);
        double product = NextDouble();
        int k = 0;
        while (product > limit)
        {
            k++;
            product *= NextDouble();
        }
        return k;
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
