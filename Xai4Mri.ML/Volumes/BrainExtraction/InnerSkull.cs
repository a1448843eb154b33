namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Moves the brain surface out to the inner surface of the skull, in the spirit of the skull search of Jenkinson,
/// Pechaud and Smith (2005), "BET2: MR-based estimation of brain, skull and scalp surfaces": along each outward
/// normal the profile crosses the dark band of cerebrospinal fluid and inner table, then rises into the brighter
/// diploë or scalp. The intracranial boundary lies one inner-table thickness inside that rise.
/// </summary>
internal static class InnerSkull
{
    // The profile runs from inside the brain (far enough in to see its tissue where the surface rests in sulcal
    // CSF) to well beyond the widest CSF gap of atrophied brains; offsets may pull the surface in by at most MaxInward.
    private const double SearchFrom = -10;
    private const double MaxInward = -3;
    private const double SearchTo = 25;
    private const double Step = 0.5;

    // Fractions of the local brain contrast (brain level minus t2): the dark band must fall below DarkLevel
    // (CSF and bone, not a dip within grey matter), and a rise of Rise above its darkest point is the skull's bright layer.
    private const double DarkLevel = 0.5;
    private const double Rise = 0.2;

    // A shoulder counts when its slope reaches ShoulderSlope of the steepest rise and it stands ShoulderLevel of the
    // brain contrast above the dark band's floor.
    private const double ShoulderSlope = 0.15;
    private const double ShoulderLevel = 0.05;

    // The bright layer's peak is looked for this far (mm) past the first rise; its half-height marks the edge.
    private const double PeakWindow = 4;

    // Offsets below the vault are capped at this quantile of the vault's offsets.
    private const double VaultQuantile = 0.9;

    // Below this fraction of surface points with a bright layer, the image is taken to have no skull (brain-extracted).
    private const double MinimumFoundFraction = 0.25;

    /// <summary>
    /// Outward offsets (mm, along each vertex normal) from the brain surface to the inner skull, smoothed over
    /// the surface, and the fraction of vertices whose profile showed the skull; all offsets are 0 when too few did.
    /// </summary>
    public static (double[] Offsets, double FoundFraction) Offsets(SurfaceModel model, WorldSampler sampler, HeadStatistics stats,
        double innerTable, ParallelOptions parallel)
    {
        double centreZ = stats.Centre.Z;
        Tessellation mesh = model.Mesh;
        int n = mesh.VertexCount;
        int samples = (int)Math.Round((SearchTo - SearchFrom) / Step) + 1;
        var profiles = new double[n * samples];
        Parallel.For(0, n, parallel, v =>
        {
            for (int s = 0; s < samples; s++)
            {
                double d = SearchFrom + (s * Step);
                profiles[(v * samples) + s] = sampler.Sample(model.X[v] + (d * model.NormalX[v]), model.Y[v] + (d * model.NormalY[v]), model.Z[v] + (d * model.NormalZ[v]));
            }
        });
        var offsets = new double[n];
        Parallel.For(0, n, parallel, v =>
        {
            // Averaging the profiles of a vertex and its neighbours (a patch a few millimetres across) tames noise.
            var q = new double[samples];
            int[] nb = mesh.Neighbours[v];
            for (int s = 0; s < samples; s++)
            {
                double sum = profiles[(v * samples) + s];
                foreach (int w in nb)
                {
                    sum += profiles[(w * samples) + s];
                }
                q[s] = sum / (nb.Length + 1);
            }
            offsets[v] = EdgeOffset(q, stats) - innerTable;
        });
        double fraction = (double)offsets.Count(double.IsFinite) / n;
        if (fraction < MinimumFoundFraction)
        {
            return (new double[n], fraction);
        }
        ClampBelowVault(model, offsets, centreZ);
        FillMissing(mesh, offsets);
        for (int pass = 0; pass < 2; pass++)
        {
            Smooth(mesh, offsets, median: true);
        }
        for (int pass = 0; pass < 2; pass++)
        {
            Smooth(mesh, offsets, median: false);
        }
        for (int v = 0; v < n; v++)
        {
            offsets[v] = Math.Clamp(offsets[v], MaxInward, SearchTo);
        }
        return (offsets, fraction);
    }

    /// <summary>Distance (mm from the brain surface) of the half-height edge of the first bright layer beyond the dark band; NaN if there is none.</summary>
    private static double EdgeOffset(double[] q, HeadStatistics stats)
    {
        int surface = (int)Math.Round(-SearchFrom / Step);
        double brain = double.NegativeInfinity;
        for (int s = 0; s <= surface; s++)
        {
            brain = Math.Max(brain, q[s]);
        }
        double contrast = brain - stats.T2;
        if (!(contrast > 0))
        {
            return double.NaN;
        }
        // Outward from the brain surface the profile falls through CSF and inner table; the first clear rise
        // above the darkest point so far is the diploë (or, where that is dark, the scalp).
        double min = q[surface];
        int argMin = surface, rise = -1;
        for (int s = surface + 1; s < q.Length; s++)
        {
            if (q[s] < min)
            {
                min = q[s];
                argMin = s;
            }
            else if (q[s] > min + (Rise * contrast))
            {
                rise = s;
                break;
            }
        }
        if (rise < 0 || !(min < stats.T2 + (DarkLevel * contrast)))
        {
            return double.NaN;
        }
        double peak = q[rise];
        int window = (int)Math.Round(PeakWindow / Step);
        for (int s = rise + 1; s < Math.Min(q.Length, rise + window + 1); s++)
        {
            peak = Math.Max(peak, q[s]);
        }
        double half = (min + peak) / 2;
        int edge = rise;
        while (edge > argMin + 1 && q[edge - 1] >= half)
        {
            edge--;
        }
        double before = q[edge - 1], after = q[edge];
        double fraction = after > before ? Math.Clamp((half - before) / (after - before), 0, 1) : 1;
        // A faint diploë blurred into the scalp (thick voxels, FLAIR) rises as a shoulder before the main step:
        // its steepest point, where the slope peaks first, is the bright layer's real inner edge.
        double steepest = 0;
        for (int s = argMin + 1; s < Math.Min(q.Length - 1, rise + window); s++)
        {
            steepest = Math.Max(steepest, q[s + 1] - q[s - 1]);
        }
        for (int s = argMin + 2; s < edge - 1; s++)
        {
            double g = q[s + 1] - q[s - 1];
            if (g >= q[s] - q[s - 2] && g > q[s + 2] - q[s] && g >= ShoulderSlope * steepest && q[s] > min + (ShoulderLevel * contrast))
            {
                return SearchFrom + (s * Step);
            }
        }
        return SearchFrom + ((edge - 1 + fraction) * Step);
    }

    /// <summary>
    /// The CSF and inner table are about as thick all around the cranial cavity, but below the centre of gravity
    /// (world inferior) the profiles cross the skull base, face and neck, whose soft-tissue boundaries can pass for
    /// a skull far out. There the offsets are capped at a high quantile of the vault's (above the centre).
    /// </summary>
    private static void ClampBelowVault(SurfaceModel model, double[] offsets, double centreZ)
    {
        var vault = offsets.Where((o, v) => double.IsFinite(o) && model.Z[v] > centreZ).Order().ToArray();
        if (vault.Length == 0)
        {
            return;
        }
        double cap = vault[(int)(VaultQuantile * (vault.Length - 1))];
        for (int v = 0; v < offsets.Length; v++)
        {
            if (model.Z[v] <= centreZ && offsets[v] > cap)
            {
                offsets[v] = cap;
            }
        }
    }

    /// <summary>Gives vertices without a detected edge the mean of their detected neighbours, ring by ring.</summary>
    private static void FillMissing(Tessellation mesh, double[] offsets)
    {
        int n = offsets.Length;
        var next = new double[n];
        for (int pass = 0; pass < n; pass++)
        {
            bool missing = false;
            for (int v = 0; v < n; v++)
            {
                next[v] = offsets[v];
                if (double.IsFinite(offsets[v]))
                {
                    continue;
                }
                double sum = 0;
                int count = 0;
                foreach (int w in mesh.Neighbours[v])
                {
                    if (double.IsFinite(offsets[w]))
                    {
                        sum += offsets[w];
                        count++;
                    }
                }
                if (count > 0)
                {
                    next[v] = sum / count;
                }
                else
                {
                    missing = true;
                }
            }
            Array.Copy(next, offsets, n);
            if (!missing)
            {
                return;
            }
        }
    }

    /// <summary>One pass of a median or mean filter over each vertex and its neighbours.</summary>
    private static void Smooth(Tessellation mesh, double[] offsets, bool median)
    {
        int n = offsets.Length;
        var next = new double[n];
        var window = new List<double>(8);
        for (int v = 0; v < n; v++)
        {
            window.Clear();
            window.Add(offsets[v]);
            foreach (int w in mesh.Neighbours[v])
            {
                window.Add(offsets[w]);
            }
            if (median)
            {
                window.Sort();
                next[v] = window.Count % 2 == 1 ? window[window.Count / 2] : (window[(window.Count / 2) - 1] + window[window.Count / 2]) / 2;
            }
            else
            {
                next[v] = window.Average();
            }
        }
        Array.Copy(next, offsets, n);
    }
}
