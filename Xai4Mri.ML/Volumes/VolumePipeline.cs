using System.Globalization;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Conforming an image file to a network's input, as an explicit sequence of steps:
/// <list type="number">
/// <item>read the first 3-D volume, set NaN/Inf voxels to the background, and check whether it is a head (<see cref="HeadCheck"/>);</item>
/// <item>the <see cref="CachedSteps"/> (brain extraction when on, reorient, optionally resample), kept as the brain's bounding box in a
/// <see cref="PreparedVolume"/> — the expensive part, which <see cref="VolumeCache"/> stores under <see cref="CacheKey"/>;</item>
/// <item><see cref="Placement"/> in the network's box (pruning) and the <see cref="Intensity"/> step — cheap, run on every read.</item>
/// </list>
/// <see cref="ToNative"/> takes a map of the box back to the file's voxels through the steps' inverses in reverse order.
/// </summary>
internal sealed class VolumePipeline
{
    /// <summary>Version of the preparation code; bump it when the cached result of the same steps changes.</summary>
    public const int CodeVersion = 1;

    /// <summary>The problem of an image that is all background.</summary>
    public const string AllBackground = "the image is all background (no voxel differs from the background value): there is no head in it";

    /// <summary>Creates the pipeline.</summary>
    /// <param name="allowFourD">Take the first volume of 4-D files instead of failing.</param>
    /// <param name="background">The background value (0 for brain-extracted images).</param>
    /// <param name="cachedSteps">The steps whose result is cached, in order.</param>
    /// <param name="placement">How the prepared volume goes into the network's box.</param>
    /// <param name="intensity">Clipping and scaling of the placed volume; null for none.</param>
    /// <param name="maxVoxels">The most voxels of one 3-D volume a file may have; checked from the header before any voxel is read.</param>
    public VolumePipeline(bool allowFourD, float background, IReadOnlyList<IVolumeStep> cachedSteps, PlaceInBox placement, IIntensityStep? intensity,
        long maxVoxels = long.MaxValue)
    {
        AllowFourD = allowFourD;
        MaxVoxels = maxVoxels;
        Background = background;
        CachedSteps = cachedSteps;
        Placement = placement;
        Intensity = intensity;
        // The key text is what earlier versions wrote for the same settings, so their cache entries stay valid.
        var parts = new List<string> { $"v{CodeVersion}" };
        parts.Add(cachedSteps.OfType<ReorientStep>().Single().Key);
        parts.Add(cachedSteps.OfType<ResampleStep>().SingleOrDefault()?.Key ?? "vox=native");
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"4d={AllowFourD};bg={Background:R}"));
        parts.AddRange(cachedSteps.Where(s => s is not (ReorientStep or ResampleStep)).Select(s => s.Key));
        CacheKey = string.Join(';', parts);
    }

    /// <summary>Take the first volume of 4-D files instead of failing.</summary>
    public bool AllowFourD { get; }

    /// <summary>The background value.</summary>
    public float Background { get; }

    /// <summary>The most voxels of one 3-D volume a file may have (the loader's memory budget; not part of the cache key: it changes no result).</summary>
    public long MaxVoxels { get; }

    /// <summary>The steps whose result the cache keeps, in order.</summary>
    public IReadOnlyList<IVolumeStep> CachedSteps { get; }

    /// <summary>How a prepared volume is placed in the network's box.</summary>
    public PlaceInBox Placement { get; }

    /// <summary>The intensity step after placement, or null.</summary>
    public IIntensityStep? Intensity { get; }

    /// <summary>What the cached steps are, as text (with a file's content hash, the name of its cache entry).</summary>
    public string CacheKey { get; }

    /// <summary>Reads <paramref name="path"/> and runs the cached steps.</summary>
    /// <exception cref="ImageFormatException">The file cannot be read, is not 3-D (unless allowed), or has no definite orientation.</exception>
    public PreparedVolume Prepare(string path) => Prepare(MriImage.Load(path));

    /// <summary>The cached steps on an image already opened (callers that also need its header open it once).</summary>
    /// <exception cref="ImageFormatException">The image is not 3-D (unless allowed), or a step cannot apply to it.</exception>
    public PreparedVolume Prepare(MriImage image)
    {
        CheckHeader(image);
        Volume volume = Volume.FromImage(image, AllowFourD);
        long nonFinite = 0;
        float[] d = volume.Data;
        for (int i = 0; i < d.Length; i++)
        {
            if (!float.IsFinite(d[i]))
            {
                d[i] = Background;
                nonFinite++;
            }
        }
        if (nonFinite == d.Length)
        {
            // Nothing but NaN/Inf is a failed computation, not an empty field of view: loading it as background
            // would give a network a constant input and a confident score.
            throw new ImageFormatException(image.FilePath, $"no finite voxel: all {nonFinite} voxels are NaN or infinite");
        }
        // The image as given, before any step: whether it is a head is a fact about the file, and Auto stripping needs it.
        var head = HeadCheck.Check(volume);
        bool stripped = false;
        string? problem = null;
        foreach (var step in CachedSteps)
        {
            try
            {
                if (step is BrainExtractionStep extraction)
                {
                    (volume, stripped) = extraction.Apply(volume, head);
                }
                else
                {
                    volume = step.Apply(volume);
                }
            }
            catch (ArgumentException e) when (step is BrainExtractionStep)
            {
                // A content problem of this image, not of the file: it becomes all background and says why, so that
                // the other images of a study still load and the reports name this one.
                problem = $"cannot {step.Description}: {e.Message}";
                volume = new Volume(Filled(volume.Data.Length, Background), [.. volume.Shape], volume.Affine);
            }
            catch (ArgumentException e)
            {
                throw new ImageFormatException(image.FilePath, $"cannot {step.Description}: {e.Message}", e);
            }
        }
        var box = BrainBox.Find(volume, Background);
        if (box is null && problem is null)
        {
            problem = AllBackground;
        }
        int[] start = box?.Start ?? [0, 0, 0];
        int[] shape = box is { } b ? [b.End[0] - b.Start[0] + 1, b.End[1] - b.Start[1] + 1, b.End[2] - b.Start[2] + 1] : [0, 0, 0];
        var boxData = new float[(long)shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < shape[0]; i++)
        {
            for (int j = 0; j < shape[1]; j++)
            {
                int s = volume.Index(start[0] + i, start[1] + j, start[2]);
                volume.Data.AsSpan(s, shape[2]).CopyTo(boxData.AsSpan(((i * shape[1]) + j) * shape[2], shape[2]));
            }
        }
        return new PreparedVolume(boxData, shape, start, volume.Shape, volume.Affine, image.Shape, image.Affine, nonFinite, head, stripped, problem);
    }

    /// <summary>
    /// Rejects, from the header alone, what no step could conform: an image with no voxels, more in its first volume
    /// than <see cref="MaxVoxels"/>, or an affine that places no voxel anywhere definite (singular or not finite).
    /// </summary>
    /// <exception cref="ImageFormatException">The image has no voxels, is over the budget, or has no usable affine.</exception>
    public void CheckHeader(MriImage image)
    {
        var affine = image.Affine;
        bool finite = affine.ToRowMajor().All(double.IsFinite);
        try
        {
            _ = affine.Inverse();
        }
        catch (InvalidOperationException)
        {
            finite = false;
        }
        if (!finite)
        {
            throw new ImageFormatException(image.FilePath, $"the voxel-to-world affine is singular or not finite (rows {string.Join("; ", affine.ToRows().Select(r => string.Join(' ', r.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))))}): the image has no definite position or orientation");
        }
        long[] shape = image.Shape;
        string dims = string.Join('x', shape);
        if (image.Data.VoxelCount == 0)
        {
            throw new ImageFormatException(image.FilePath, $"image has no voxels (dimensions {dims})");
        }
        long perVolume = 1;
        for (int a = 0; a < Math.Min(3, shape.Length); a++)
        {
            perVolume *= shape[a];
        }
        if (perVolume > MaxVoxels)
        {
            throw new ImageFormatException(image.FilePath, string.Create(CultureInfo.InvariantCulture,
                $"{dims} is {perVolume} voxels per volume, more than the loader's budget of {MaxVoxels} (raise NiftiLoaderOptions.MaxVoxels to load it)"));
        }
    }

    /// <summary>Places <paramref name="prepared"/> in the box and scales it, into <paramref name="destination"/>; returns how it was placed.</summary>
    /// <exception cref="ImageFormatException">Without pruning, the file's grid does not have the box's shape.</exception>
    public PruneRecord Conform(PreparedVolume prepared, Span<float> destination, string path)
    {
        var record = Placement.Apply(prepared, destination, path);
        Intensity?.Apply(destination, prepared);
        return record;
    }

    /// <summary>
    /// A map of the box (a conformed volume, a prediction or a relevance map) back on the file's own grid: the
    /// placement's inverse, then each cached step's inverse in reverse order. The result has the file's 3-D shape and affine.
    /// </summary>
    public Volume ToNative(PreparedVolume prepared, ReadOnlySpan<float> map, string path)
    {
        var grids = new List<GridGeometry> { GridGeometry.OfFile(prepared.NativeShape, prepared.NativeAffine) };
        foreach (var step in CachedSteps)
        {
            grids.Add(step.Output(grids[^1]));
        }
        var volume = Placement.Invert(map, prepared, Placement.Placement(prepared, path), Background);
        // The stripped image travels back beside the map, so that the brain extraction's inverse can apply its mask.
        Volume? brain = prepared.BrainExtracted ? prepared.ToGridVolume(Background) : null;
        for (int i = CachedSteps.Count - 1; i >= 0; i--)
        {
            if (CachedSteps[i] is BrainExtractionStep && brain is not null)
            {
                var mask = Array.ConvertAll(brain.Data, v => v != Background ? 1f : 0f);
                volume = BrainExtractionStep.Masked(CachedSteps[i].Invert(volume, grids[i], Background), mask, Background);
                continue;
            }
            volume = CachedSteps[i].Invert(volume, grids[i], Background);
            brain = brain is null ? null : CachedSteps[i].Invert(brain, grids[i], Background);
        }
        return volume;
    }

    private static float[] Filled(int length, float value)
    {
        var data = new float[length];
        if (value != 0)
        {
            Array.Fill(data, value);
        }
        return data;
    }
}
