namespace Xai4Mri.ML.Training;

/// <summary>
/// Derived seeds: one per (run seed, epoch, stream), so that every random draw of a run — shuffling, dropout masks,
/// augmentation — is fixed by the run's seed and the same after a resume as in an uninterrupted run.
/// </summary>
internal static class Seeds
{
    /// <summary>Streams: 0 shuffles an epoch, 1 seeds its dropout masks, 2 + row augments one image.</summary>
    public static long Mix(int seed, int epoch, int stream) =>
        (long)(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)(uint)stream * 0x165667B19E3779F9UL) & long.MaxValue);
}
