namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Where the brain surface may lie: within reach of the brain's thick bright core. Inside the surface BET found,
/// the voxels brighter than its local threshold for bright tissue are eroded by <see cref="ErosionRadius"/>; the
/// largest connected piece left is the core (white matter, deep grey matter, the thick cortex, the brainstem).
/// Tissue outside the brain that the surface has followed through a thin gap in the skull (the orbital fat and
/// muscles through the partial-volumed orbital roof, the neck muscles around the foramen magnum) joins the brain
/// only through that gap, narrower than twice the radius, so the erosion cuts it off; the region the surface may
/// hold is the core dilated back by the radius and a margin for the cortex and its dark sulci.
/// </summary>
internal sealed class BrainCore
{
    /// <summary>
    /// Erosion radius (mm). Bone and the dark fluid around it part the brain from the tissue outside it everywhere
    /// but at the skull base's thin plates and openings; at 3 mm a 1 mm orbital roof is one partial-volumed voxel
    /// that still reads above the threshold. A 7.5 mm ball cuts bridges up to 15 mm wide and leaves every part of
    /// the brain thicker than that (docs/real-data.md gives the numbers on Colin 27).
    /// </summary>
    public const double ErosionRadius = 7.5;

    /// <summary>Distance (mm) beyond the eroded-and-dilated core that the surface may still reach: the dark cortex and sulci at the brain's edge.</summary>
    public const double Margin = 3;

    private readonly bool[] _allowed;
    private readonly WorldSampler _sampler;
    private readonly int _n0, _n1, _n2;

    private BrainCore(bool[] allowed, WorldSampler sampler, int[] shape)
    {
        _allowed = allowed;
        _sampler = sampler;
        _n0 = shape[0];
        _n1 = shape[1];
        _n2 = shape[2];
    }

    /// <summary>
    /// The core of the voxels of <paramref name="mask"/> above <paramref name="threshold"/>; null when nothing is
    /// left after the erosion (a brain too thin or too dim to tell a core from the tissue around it).
    /// </summary>
    public static BrainCore? Find(float[] mask, WorldSampler sampler, int[] shape, double[] spacing, double threshold, ParallelOptions parallel)
    {
        float[] data = sampler.Data;
        var dim = new bool[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            dim[i] = !(mask[i] != 0 && data[i] > threshold);
        }
        double[] depth = DistanceTransform.SquaredToSet(dim, shape, spacing, parallel);
        double r2 = ErosionRadius * ErosionRadius;
        var eroded = new bool[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            eroded[i] = depth[i] > r2;
        }
        bool[]? core = LargestComponent(eroded, shape);
        if (core is null)
        {
            return null;
        }
        double[] reach = DistanceTransform.SquaredToSet(core, shape, spacing, parallel);
        double limit = (ErosionRadius + Margin) * (ErosionRadius + Margin);
        var allowed = new bool[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            allowed[i] = reach[i] <= limit;
        }
        return new BrainCore(allowed, sampler, shape);
    }

    /// <summary>True when the world point's nearest voxel (clamped to the grid) is out of the core's reach.</summary>
    public bool Outside(double x, double y, double z)
    {
        var (i, j, k) = _sampler.ToIndex(x, y, z);
        int a = Math.Clamp((int)Math.Round(i), 0, _n0 - 1);
        int b = Math.Clamp((int)Math.Round(j), 0, _n1 - 1);
        int c = Math.Clamp((int)Math.Round(k), 0, _n2 - 1);
        return !_allowed[(((a * _n1) + b) * _n2) + c];
    }

    /// <summary>The largest 6-connected set of true voxels (the first found among equals); null when there is none.</summary>
    private static bool[]? LargestComponent(bool[] set, int[] shape)
    {
        int n0 = shape[0], n1 = shape[1], n2 = shape[2];
        var label = new int[set.Length];
        var queue = new int[set.Length];
        int best = 0, bestSize = 0, next = 0;
        for (int seed = 0; seed < set.Length; seed++)
        {
            if (!set[seed] || label[seed] != 0)
            {
                continue;
            }
            next++;
            int head = 0, tail = 0;
            queue[tail++] = seed;
            label[seed] = next;
            while (head < tail)
            {
                int o = queue[head++];
                int i = o / (n1 * n2), j = (o / n2) % n1, k = o % n2;
                void Visit(int p)
                {
                    if (set[p] && label[p] == 0)
                    {
                        label[p] = next;
                        queue[tail++] = p;
                    }
                }
                if (i > 0)
                {
                    Visit(o - (n1 * n2));
                }
                if (i < n0 - 1)
                {
                    Visit(o + (n1 * n2));
                }
                if (j > 0)
                {
                    Visit(o - n2);
                }
                if (j < n1 - 1)
                {
                    Visit(o + n2);
                }
                if (k > 0)
                {
                    Visit(o - 1);
                }
                if (k < n2 - 1)
                {
                    Visit(o + 1);
                }
            }
            if (tail > bestSize)
            {
                bestSize = tail;
                best = next;
            }
        }
        if (best == 0)
        {
            return null;
        }
        var largest = new bool[set.Length];
        for (int i = 0; i < set.Length; i++)
        {
            largest[i] = label[i] == best;
        }
        return largest;
    }
}
