namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Where the brain surface may lie: within reach of the brain's thick bright core. Inside the surface BET found,
/// the voxels brighter than its local threshold for bright tissue are eroded by <see cref="ErosionRadius"/>; the
/// largest connected piece left is the core (white matter, deep grey matter, the thick cortex, the brainstem).
/// Tissue outside the brain that the surface has followed through a thin gap in the skull (the orbital fat and
/// muscles through the partial-volumed orbital roof, the neck muscles around the foramen magnum) joins the brain
/// only through that gap, narrower than twice the radius, so the erosion cuts it off, and the surface's vertices on
/// it lie far beyond the core while the rest of the surface lies at a common distance from it.
/// </summary>
internal sealed class BrainCore
{
    /// <summary>
    /// Erosion radius (mm). Bone and the dark fluid around it part the brain from the tissue outside it everywhere
    /// but at the skull base's thin plates and openings; at 3 mm a 1 mm orbital roof is one partial-volumed voxel
    /// that still reads above the threshold. A 7.5 mm ball cuts bridges up to 15 mm wide and leaves every part of
    /// the brain thicker than that (docs/brain-extraction.md gives the numbers on Colin 27).
    /// </summary>
    public const double ErosionRadius = 7.5;

    /// <summary>
    /// How much farther than the surface's upper quartile (mm) a vertex must lie from the core to have leaked. How
    /// far the brain's edge lies beyond the core depends on the contrast and the cortex (a median from 0.7 to
    /// 13 mm on the synthetic heads, 1.5 mm on the real ones), but within a brain the spread is small: beyond the
    /// upper quartile by 10 mm lay at most 11 of 2,562 vertices on any synthetic head and 31 on the real
    /// already-extracted ones, against 173 on the Colin 27 head that leaked.
    /// </summary>
    public const double LeakExcess = 10;

    /// <summary>Fraction of the vertices beyond <see cref="LeakExcess"/> that makes a leak (2 %, about 50 vertices: a lump some 35 mm across).</summary>
    public const double LeakFraction = 0.02;

    /// <summary>The smallest margin (mm) beyond the core that the corrected surface may still reach: the dark cortex and sulci at the brain's edge.</summary>
    public const double MinimumMargin = 3;

    /// <summary>
    /// The core is found on every voxel of a grid no finer than this (mm): the erosion's 7.5 mm and the leaks' 10 mm
    /// need no finer detail, and a 1 mm head takes an eighth of the time.
    /// </summary>
    private const double CoarseSpacing = 2;

    private readonly float[] _beyond;
    private readonly WorldSampler _sampler;
    private readonly int[] _stride;
    private readonly int[] _shape;

    private BrainCore(float[] beyond, WorldSampler sampler, int[] stride, int[] coarseShape)
    {
        _beyond = beyond;
        _sampler = sampler;
        _stride = stride;
        _shape = coarseShape;
    }

    /// <summary>
    /// Distance (mm) beyond the core that the surface may reach, once a leak was found: the upper quartile of the
    /// vertices' distances, at least <see cref="MinimumMargin"/>.
    /// </summary>
    public double Margin { get; private set; }

    /// <summary>
    /// The core of the surface <paramref name="model"/> when the surface leaked out of it, else null: the vertices
    /// farther from the core than the upper quartile of all of them by <see cref="LeakExcess"/> are at least
    /// <see cref="LeakFraction"/> of them. Also null when nothing is left after the erosion (a brain too thin or
    /// too dim to tell a core from the tissue around it).
    /// </summary>
    public static BrainCore? FindLeak(SurfaceModel model, WorldSampler sampler, int[] shape, double[] spacing, double threshold, ParallelOptions parallel)
    {
        var core = Find(MeshRasterizer.Fill(model, sampler, shape), sampler, shape, spacing, threshold, parallel);
        if (core is null)
        {
            return null;
        }
        int n = model.X.Length;
        var distances = new double[n];
        for (int v = 0; v < n; v++)
        {
            distances[v] = core.Beyond(model.X[v], model.Y[v], model.Z[v]);
        }
        var sorted = (double[])distances.Clone();
        Array.Sort(sorted);
        double upperQuartile = sorted[(int)(0.75 * (n - 1))];
        int leaked = distances.Count(d => d > upperQuartile + LeakExcess);
        if (leaked < LeakFraction * n)
        {
            return null;
        }
        core.Margin = Math.Max(MinimumMargin, upperQuartile);
        return core;
    }

    /// <summary>True when the world point lies farther than <see cref="Margin"/> beyond the core.</summary>
    public bool Outside(double x, double y, double z) => Beyond(x, y, z) > Margin;

    /// <summary>
    /// The core of the voxels of <paramref name="mask"/> above <paramref name="threshold"/>, with each voxel's
    /// distance beyond it; null when nothing is left after the erosion.
    /// </summary>
    private static BrainCore? Find(float[] mask, WorldSampler sampler, int[] shape, double[] spacing, double threshold, ParallelOptions parallel)
    {
        int[] stride = [.. spacing.Select(h => Math.Max(1, (int)Math.Floor(CoarseSpacing / h)))];
        int[] coarse = [.. shape.Select((d, axis) => ((d - 1) / stride[axis]) + 1)];
        double[] coarseSpacing = [.. spacing.Select((h, axis) => h * stride[axis])];
        float[] data = sampler.Data;
        int length = coarse[0] * coarse[1] * coarse[2];
        var dim = new bool[length];
        for (int a = 0, o = 0; a < coarse[0]; a++)
        {
            for (int b = 0; b < coarse[1]; b++)
            {
                for (int c = 0; c < coarse[2]; c++, o++)
                {
                    int i = (((a * stride[0] * shape[1]) + (b * stride[1])) * shape[2]) + (c * stride[2]);
                    dim[o] = !(mask[i] != 0 && data[i] > threshold);
                }
            }
        }
        double[] depth = DistanceTransform.SquaredToSet(dim, coarse, coarseSpacing, parallel);
        double r2 = ErosionRadius * ErosionRadius;
        var eroded = new bool[length];
        for (int i = 0; i < length; i++)
        {
            eroded[i] = depth[i] > r2;
        }
        bool[]? core = LargestComponent(eroded, coarse);
        if (core is null)
        {
            return null;
        }
        double[] reach = DistanceTransform.SquaredToSet(core, coarse, coarseSpacing, parallel);
        var beyond = new float[length];
        for (int i = 0; i < length; i++)
        {
            beyond[i] = (float)(Math.Sqrt(reach[i]) - ErosionRadius);
        }
        return new BrainCore(beyond, sampler, stride, coarse);
    }

    /// <summary>Distance (mm) of the world point's nearest coarse voxel (clamped to the grid) beyond the core dilated back by the erosion radius.</summary>
    private double Beyond(double x, double y, double z)
    {
        var (i, j, k) = _sampler.ToIndex(x, y, z);
        int a = Math.Clamp((int)Math.Round(i / _stride[0]), 0, _shape[0] - 1);
        int b = Math.Clamp((int)Math.Round(j / _stride[1]), 0, _shape[1] - 1);
        int c = Math.Clamp((int)Math.Round(k / _stride[2]), 0, _shape[2] - 1);
        return _beyond[(((a * _shape[1]) + b) * _shape[2]) + c];
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
