using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Where an image's object reaches the edge of its field of view: for each face of the grid that it touches, the
/// area (cm²) of object on that face, named by its world direction. A brain cut by the field of view leaves a large
/// cross-section on a face; a scalp or nose that only touches it leaves a few square centimetres.
/// </summary>
internal static class FieldOfViewCut
{
    /// <summary>From this area (cm²) of an extracted brain on a face, the brain is taken as cut there (a brainstem's cross-section is about 5 cm²).</summary>
    public const double CutAreaCm2 = 10;

    /// <summary>
    /// From this area (cm²) of a head on a face, its brain is taken as cut there: a scalp pressed against the edge of
    /// the field of view covers up to about 30 cm² (the real Colin 27 head, 29 cm²), a head cut through its brain more.
    /// A cut through the brain's top centimetre or two can stay below it.
    /// </summary>
    public const double HeadCutAreaCm2 = 50;

    /// <summary>
    /// The faces of <paramref name="prepared"/>'s grid with at least <see cref="CutAreaCm2"/> of brain on them (of a
    /// head, <paramref name="head"/>: <see cref="HeadCutAreaCm2"/>), as "superior (42 cm²)". The inferior face is left
    /// out for heads: a head's neck always leaves the field of view there.
    /// </summary>
    public static IReadOnlyList<string> Faces(PreparedVolume prepared, bool head, float background)
    {
        var areas = Areas(prepared, background);
        return [.. areas.Where(a => a.AreaCm2 >= (head ? HeadCutAreaCm2 : CutAreaCm2) && !(head && a.Face == "inferior"))
            .Select(a => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a.Face} ({a.AreaCm2:F0} cm²)"))];
    }

    /// <summary>Every face the object touches, with the area (cm²) of object voxels (above the head threshold) on it.</summary>
    public static IReadOnlyList<(string Face, double AreaCm2)> Areas(PreparedVolume prepared, float background)
    {
        var result = new List<(string, double)>();
        if (prepared.BoxShape.Contains(0))
        {
            return result;
        }
        var box = prepared.ToBoxVolume();
        double threshold;
        try
        {
            threshold = HeadStatistics.Estimate(box, box.Data).Threshold;
        }
        catch (ArgumentException)
        {
            // No intensity range: every voxel that is not background is object.
            threshold = background;
        }
        string codes = Orientation.AxisCodes(prepared.GridAffine);
        double[] voxel = prepared.GridAffine.ColumnNorms();
        for (int axis = 0; axis < 3; axis++)
        {
            int b = (axis + 1) % 3, c = (axis + 2) % 3;
            double faceVoxelMm2 = voxel[b] * voxel[c];
            foreach (bool high in new[] { false, true })
            {
                bool touches = high ? prepared.BoxStart[axis] + prepared.BoxShape[axis] == prepared.GridShape[axis] : prepared.BoxStart[axis] == 0;
                if (!touches)
                {
                    continue;
                }
                int layer = high ? prepared.BoxShape[axis] - 1 : 0;
                long count = 0;
                var index = new int[3];
                index[axis] = layer;
                for (int u = 0; u < prepared.BoxShape[b]; u++)
                {
                    for (int w = 0; w < prepared.BoxShape[c]; w++)
                    {
                        index[b] = u;
                        index[c] = w;
                        float v = box.Data[box.Index(index[0], index[1], index[2])];
                        count += v > threshold && v != background ? 1 : 0;
                    }
                }
                if (count > 0)
                {
                    // The axis code names where indices grow towards: the high face lies that way, the low face opposite.
                    char towards = codes[axis];
                    result.Add((Direction(high ? towards : Opposite(towards)), count * faceVoxelMm2 / 100));
                }
            }
        }
        return result;
    }

    private static char Opposite(char code) => code switch
    {
        'L' => 'R', 'R' => 'L', 'A' => 'P', 'P' => 'A', 'S' => 'I', _ => 'S',
    };

    private static string Direction(char code) => code switch
    {
        'L' => "left", 'R' => "right", 'A' => "anterior", 'P' => "posterior", 'S' => "superior", _ => "inferior",
    };
}
