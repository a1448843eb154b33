namespace Xai4Mri.ML.Volumes;

/// <summary>
/// The surface evolution of Smith (2002), "Fast robust automated brain extraction": each vertex moves by a
/// tangential smoothing term, a curvature-dependent normal smoothing term and a normal term driven by the local
/// intensity threshold along the inward normal, all computed from the previous positions.
/// </summary>
internal static class SurfaceDeformation
{
    // The paper's curvature bounds: radii below RMin are smoothed hard, above RMax hardly at all.
    private const double RMin = 3.33;
    private const double RMax = 10;

    // Inward search lengths (mm) for the local minimum (d1) and maximum (d2 = d1 / 2).
    private const double SearchMin = 20;
    private const double SearchMax = 10;

    // Convergence: every CheckEvery steps from MinimumIterations on, stop once the enclosed volume changed by less
    // than VolumeTolerance (relative) over the last 2·CheckEvery steps.
    private const int CheckEvery = 50;
    private const int MinimumIterations = 200;
    private const double VolumeTolerance = 0.005;

    // A surface enclosing less than this (mm³, 1 mL) has collapsed and stops at once.
    private const double CollapsedVolume = 1000;

    /// <summary>
    /// Runs at most <paramref name="iterations"/> update steps and returns how many ran: the surface stops early
    /// once its enclosed volume has settled. <paramref name="smoothnessBoost"/> (≥ 1) multiplies the curvature
    /// seen by the smoothing sigmoid at the start and relaxes linearly to 1 by three quarters of the run: the
    /// stiffer restart used after a self-intersection (such a run does not stop before the boost has relaxed).
    /// With a <paramref name="core"/>, vertices out of its reach are pulled inwards as if they stood on background,
    /// so the smoothing and the other vertices' intensity terms reshape the surface where it had leaked.
    /// </summary>
    public static int Run(SurfaceModel model, WorldSampler sampler, HeadStatistics stats, double fractionalThreshold,
        int iterations, double smoothnessBoost, double step, ParallelOptions parallel, BrainCore? core = null)
    {
        double e = ((1 / RMin) + (1 / RMax)) / 2;
        double f = 6 / ((1 / RMin) - (1 / RMax));
        Tessellation mesh = model.Mesh;
        int n = mesh.VertexCount;
        double[] x = model.X, y = model.Y, z = model.Z;
        double[] nx = model.NormalX, ny = model.NormalY, nz = model.NormalZ;
        var newX = new double[n];
        var newY = new double[n];
        var newZ = new double[n];
        int minSamples = (int)Math.Floor(SearchMin / step);
        int maxSamples = (int)Math.Floor(SearchMax / step);
        double t2 = stats.T2, t = stats.Threshold, tm = stats.Median;
        var volumes = new List<double>();
        int earliest = smoothnessBoost > 1 ? Math.Max(MinimumIterations, (int)Math.Ceiling(0.75 * iterations)) : MinimumIterations;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            if (iteration % CheckEvery == 0)
            {
                volumes.Add(model.EnclosedVolume());
                if (volumes[^1] < CollapsedVolume)
                {
                    // Nothing bright enough to hold the surface: it has shrunk to a point.
                    model.UpdateNormals();
                    return iteration;
                }
                if (iteration >= earliest && volumes.Count >= 3
                    && Math.Abs(volumes[^1] - volumes[^3]) < VolumeTolerance * Math.Abs(volumes[^1]))
                {
                    model.UpdateNormals();
                    return iteration;
                }
            }
            model.UpdateNormals();
            double l = model.MeanEdgeLength();
            double boost = 1 + ((smoothnessBoost - 1) * Math.Max(0, 1 - (iteration / (0.75 * iterations))));
            Parallel.For(0, n, parallel, v =>
            {
                int[] nb = mesh.Neighbours[v];
                double mx = 0, my = 0, mz = 0;
                foreach (int w in nb)
                {
                    mx += x[w];
                    my += y[w];
                    mz += z[w];
                }
                double sx = (mx / nb.Length) - x[v], sy = (my / nb.Length) - y[v], sz = (mz / nb.Length) - z[v];
                double sn = (sx * nx[v]) + (sy * ny[v]) + (sz * nz[v]);
                double stx = sx - (sn * nx[v]), sty = sy - (sn * ny[v]), stz = sz - (sn * nz[v]);
                double inverseRadius = 2 * Math.Abs(sn) / (l * l);
                double f2 = 0.5 * (1 + Math.Tanh(f * ((boost * inverseRadius) - e)));

                // Walk the inward normal in voxel-index space: one transform per vertex, then constant increments.
                var (pi, pj, pk) = sampler.ToIndex(x[v], y[v], z[v]);
                var (si, sj, sk) = sampler.DirectionToIndex(-step * nx[v], -step * ny[v], -step * nz[v]);
                double iMin = tm, iMax = t;
                for (int d = 0; d <= minSamples; d++)
                {
                    double value = sampler.SampleIndex(pi + (d * si), pj + (d * sj), pk + (d * sk));
                    iMin = Math.Min(iMin, value);
                    if (d <= maxSamples)
                    {
                        iMax = Math.Max(iMax, value);
                    }
                }
                iMin = Math.Max(t2, iMin);
                iMax = Math.Min(tm, iMax);
                double tl = ((iMax - t2) * fractionalThreshold) + t2;
                double f3 = core is not null && core.Outside(x[v], y[v], z[v]) ? -1 : 2 * (iMin - tl) / (iMax - t2);
                double normal = (f2 * sn) + (0.05 * f3 * l);
                newX[v] = x[v] + (0.5 * stx) + (normal * nx[v]);
                newY[v] = y[v] + (0.5 * sty) + (normal * ny[v]);
                newZ[v] = z[v] + (0.5 * stz) + (normal * nz[v]);
            });
            Array.Copy(newX, x, n);
            Array.Copy(newY, y, n);
            Array.Copy(newZ, z, n);
        }
        model.UpdateNormals();
        return iterations;
    }
}
