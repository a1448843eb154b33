namespace Xai4Mri.Bench;

/// <summary>One perturbation cube of the model's box: all its voxels (for its relevance) and its brain voxels (what is removed).</summary>
internal sealed record FaithfulnessCube(int[] All, int[] Brain)
{
    /// <summary>Tiles the box (D, H, W, C order) with cubes of <paramref name="edge"/> voxels; keeps those holding brain.</summary>
    public static List<FaithfulnessCube> Tile(int[] shape, int edge, bool[] brain)
    {
        var cubes = new List<FaithfulnessCube>();
        for (int d0 = 0; d0 < shape[0]; d0 += edge)
        {
            for (int h0 = 0; h0 < shape[1]; h0 += edge)
            {
                for (int w0 = 0; w0 < shape[2]; w0 += edge)
                {
                    var all = new List<int>();
                    for (int d = d0; d < Math.Min(d0 + edge, shape[0]); d++)
                    {
                        for (int h = h0; h < Math.Min(h0 + edge, shape[1]); h++)
                        {
                            for (int w = w0; w < Math.Min(w0 + edge, shape[2]); w++)
                            {
                                all.Add((((d * shape[1]) + h) * shape[2]) + w);
                            }
                        }
                    }
                    int[] inBrain = [.. all.Where(v => brain[v])];
                    if (inBrain.Length > 0)
                    {
                        cubes.Add(new FaithfulnessCube([.. all], inBrain));
                    }
                }
            }
        }
        return cubes;
    }
}
