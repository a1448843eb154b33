namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Skull stripping by the brain extraction tool of Smith (2002), "Fast robust automated brain extraction" (Human
/// Brain Mapping 17:143–155): a tessellated sphere grown from the head's centre of gravity by smoothing and
/// local-threshold forces until it sits on the brain surface, restarted stiffer if it intersects itself, then
/// moved out to the inner skull so the mask holds the intracranial volume.
/// </summary>
public static class BrainExtractor
{
    // Icosahedron subdivisions: 2,562 vertices, about 5 mm apart on an adult brain.
    private const int Subdivisions = 4;

    // Each retry multiplies the curvature seen by the smoothing term by this factor once more.
    private const double RetryStiffening = 4;

    // Intensity samples along the normals are at most this far apart (mm), and at most one voxel.
    private const double MaxStep = 1;

    // Robust tissue contrast inside the mask ((p90 − p10) / p50) below which the object is a uniform blob, not a brain.
    internal const double MinimumContrast = 0.1;

    /// <summary>Finds the brain in <paramref name="volume"/> (a head image in any orientation and voxel size) and returns its mask and the stripped image.</summary>
    /// <param name="volume">The head image; it is not modified.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range, the grid is too small, or no brain can be found:
    /// the image is all background or constant, its bright object is smaller than <see cref="BrainExtractorOptions.MinimumVolumeMl"/>,
    /// it is a uniform blob without tissue contrast, or the mask would be empty. The message names the problem.</exception>
    public static BrainExtractorResult Extract(Volume volume, BrainExtractorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        options ??= new BrainExtractorOptions();
        Validate(options);
        int[] shape = volume.Shape;
        if (shape.Any(d => d < 3))
        {
            throw new ArgumentException($"a {string.Join('x', shape)} grid is too small for brain extraction (at least 3 voxels along each axis)", nameof(volume));
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        var sampler = new WorldSampler(volume);
        var stats = HeadStatistics.Estimate(volume, sampler.Data);
        if (stats.VolumeAboveThresholdMl < options.MinimumVolumeMl)
        {
            throw new ArgumentException(
                $"only {stats.VolumeAboveThresholdMl:F0} mL of the image is above the brain/background threshold, less than the {options.MinimumVolumeMl:F0} mL of the smallest brain: the image holds no head",
                nameof(volume));
        }
        double step = Math.Min(MaxStep, volume.VoxelSize.Min());
        var mesh = Tessellation.Sphere(Subdivisions);
        SurfaceModel model;
        int attempt = 0, iterations = 0;
        bool intersecting;
        while (true)
        {
            model = new SurfaceModel(mesh, stats.Centre, stats.Radius / 2);
            iterations += SurfaceDeformation.Run(model, sampler, stats, options.FractionalThreshold, options.Iterations,
                Math.Pow(RetryStiffening, attempt), step, parallel);
            intersecting = model.SelfIntersects();
            if (!intersecting || attempt == options.MaxRetries)
            {
                break;
            }
            attempt++;
        }
        // BET's surface can follow bright tissue through a thin gap in the skull base (orbits, neck); where part of it
        // has left the reach of the brain's core, it is run again with those vertices pulled in (BrainCore says why).
        double brightThreshold = stats.T2 + (options.FractionalThreshold * (stats.Median - stats.T2));
        var leak = BrainCore.FindLeak(model, sampler, shape, volume.VoxelSize, brightThreshold, parallel);
        if (leak is not null)
        {
            iterations += SurfaceDeformation.Run(model, sampler, stats, options.FractionalThreshold, options.Iterations, 1, step, parallel, leak);
            intersecting = model.SelfIntersects();
        }
        double brainSurfaceMl = Math.Abs(model.EnclosedVolume()) / 1000;
        double skullFraction = 0;
        if (options.ExpandToInnerSkull)
        {
            (double[] offsets, skullFraction) = InnerSkull.Offsets(model, sampler, stats, options.InnerTableThickness, parallel);
            for (int v = 0; v < mesh.VertexCount; v++)
            {
                model.X[v] += offsets[v] * model.NormalX[v];
                model.Y[v] += offsets[v] * model.NormalY[v];
                model.Z[v] += offsets[v] * model.NormalZ[v];
            }
            model.UpdateNormals();
        }
        float[] mask = MeshRasterizer.Fill(model, sampler, shape);
        long inside = 0;
        foreach (float m in mask)
        {
            inside += (long)m;
        }
        if (inside == 0)
        {
            throw new ArgumentException("the brain surface collapsed and the mask would be empty: the image holds no brain-like object", nameof(volume));
        }
        double volumeMl = inside * stats.VoxelVolume / 1000;
        if (volumeMl < options.MinimumVolumeMl)
        {
            throw new ArgumentException(
                $"the brain mask holds only {volumeMl:F0} mL, less than the {options.MinimumVolumeMl:F0} mL of the smallest brain: the image holds no brain-like object",
                nameof(volume));
        }
        double contrast = Contrast(sampler.Data, mask);
        if (contrast < MinimumContrast)
        {
            throw new ArgumentException(
                $"the object found has no tissue contrast (robust spread {contrast:F3} of its median, a brain shows at least {MinimumContrast}): it is a uniform blob, not a brain",
                nameof(volume));
        }
        var stripped = new float[mask.Length];
        float[] data = volume.Data;
        for (int i = 0; i < mask.Length; i++)
        {
            // Non-finite input voxels inside the brain are kept as they are; the mask's outside is exactly 0.
            stripped[i] = mask[i] != 0 ? data[i] : 0;
        }
        return new BrainExtractorResult(
            new Volume(mask, (int[])shape.Clone(), volume.Affine),
            new Volume(stripped, (int[])shape.Clone(), volume.Affine),
            volumeMl, stats.Centre, iterations, attempt > 0, intersecting, leak is not null, brainSurfaceMl, skullFraction, stats.T2, stats.T98, stats.Threshold);
    }

    /// <summary>(p90 − p10) / p50 of the intensities inside the mask.</summary>
    internal static double Contrast(float[] data, float[] mask)
    {
        int count = 0;
        foreach (float m in mask)
        {
            count += m != 0 ? 1 : 0;
        }
        var inside = new float[count];
        int o = 0;
        for (int i = 0; i < data.Length; i++)
        {
            if (mask[i] != 0)
            {
                inside[o++] = data[i];
            }
        }
        double[] q = HeadStatistics.Quantiles(inside, 0.1, 0.5, 0.9);
        return q[1] > 0 ? (q[2] - q[0]) / q[1] : double.PositiveInfinity;
    }

    private static void Validate(BrainExtractorOptions o)
    {
        if (!(o.FractionalThreshold > 0 && o.FractionalThreshold < 1))
        {
            throw new ArgumentException($"the fractional threshold must lie between 0 and 1, not {o.FractionalThreshold}", nameof(o.FractionalThreshold));
        }
        if (o.Iterations < 1)
        {
            throw new ArgumentException($"at least one iteration is needed, not {o.Iterations}", nameof(o.Iterations));
        }
        if (!(o.InnerTableThickness >= 0 && o.InnerTableThickness <= 10))
        {
            throw new ArgumentException($"the inner table thickness must be between 0 and 10 mm, not {o.InnerTableThickness}", nameof(o.InnerTableThickness));
        }
        if (o.MaxRetries < 0)
        {
            throw new ArgumentException($"the number of retries cannot be negative ({o.MaxRetries})", nameof(o.MaxRetries));
        }
        if (!(o.MinimumVolumeMl >= 0 && double.IsFinite(o.MinimumVolumeMl)))
        {
            throw new ArgumentException($"the minimum volume must be a non-negative number of millilitres, not {o.MinimumVolumeMl}", nameof(o.MinimumVolumeMl));
        }
        if (o.MaxDegreeOfParallelism is < 1)
        {
            throw new ArgumentException($"the degree of parallelism must be at least 1, not {o.MaxDegreeOfParallelism}", nameof(o.MaxDegreeOfParallelism));
        }
    }
}
