namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Voxels whose centres lie inside a closed triangle surface, by ray parity: a line along the grid's last axis
/// through each (i, j) column crosses the surface at sorted depths, and the voxels between the first and second,
/// third and fourth crossing, and so on are inside. Works in continuous voxel index space, so any affine
/// (orientation, anisotropy, shear) is handled exactly.
/// </summary>
internal static class MeshRasterizer
{
    // The rays pass a tiny, irrational-looking distance off the voxel centres so that none runs exactly through a
    // vertex or an edge, where a crossing would be counted twice or not at all.
    private const double OffsetI = 1.3e-6;
    private const double OffsetJ = 0.7e-6;

    /// <summary>A 0/1 mask on <paramref name="shape"/> of the voxels inside the surface.</summary>
    public static float[] Fill(SurfaceModel model, WorldSampler sampler, int[] shape)
    {
        int n0 = shape[0], n1 = shape[1], n2 = shape[2];
        int vertices = model.Mesh.VertexCount;
        var vi = new double[vertices];
        var vj = new double[vertices];
        var vk = new double[vertices];
        for (int v = 0; v < vertices; v++)
        {
            (vi[v], vj[v], vk[v]) = sampler.ToIndex(model.X[v], model.Y[v], model.Z[v]);
        }
        var crossings = new List<double>?[n0 * n1];
        int[] faces = model.Mesh.Faces;
        for (int f = 0; f < faces.Length; f += 3)
        {
            int a = faces[f], b = faces[f + 1], c = faces[f + 2];
            double det = ((vi[b] - vi[a]) * (vj[c] - vj[a])) - ((vi[c] - vi[a]) * (vj[b] - vj[a]));
            if (det == 0)
            {
                continue;
            }
            int iLow = Math.Max(0, (int)Math.Ceiling(Math.Min(vi[a], Math.Min(vi[b], vi[c])) - OffsetI));
            int iHigh = Math.Min(n0 - 1, (int)Math.Floor(Math.Max(vi[a], Math.Max(vi[b], vi[c])) - OffsetI));
            int jLow = Math.Max(0, (int)Math.Ceiling(Math.Min(vj[a], Math.Min(vj[b], vj[c])) - OffsetJ));
            int jHigh = Math.Min(n1 - 1, (int)Math.Floor(Math.Max(vj[a], Math.Max(vj[b], vj[c])) - OffsetJ));
            for (int i = iLow; i <= iHigh; i++)
            {
                double pi = i + OffsetI;
                for (int j = jLow; j <= jHigh; j++)
                {
                    double pj = j + OffsetJ;
                    // Barycentric coordinates of the ray's (i, j) in the triangle's projection.
                    double wb = (((pi - vi[a]) * (vj[c] - vj[a])) - ((vi[c] - vi[a]) * (pj - vj[a]))) / det;
                    double wc = (((vi[b] - vi[a]) * (pj - vj[a])) - ((pi - vi[a]) * (vj[b] - vj[a]))) / det;
                    double wa = 1 - wb - wc;
                    if (wa < 0 || wb < 0 || wc < 0)
                    {
                        continue;
                    }
                    double k = (wa * vk[a]) + (wb * vk[b]) + (wc * vk[c]);
                    (crossings[(i * n1) + j] ??= []).Add(k);
                }
            }
        }
        var mask = new float[n0 * n1 * n2];
        Parallel.For(0, n0 * n1, column =>
        {
            var list = crossings[column];
            if (list is null)
            {
                return;
            }
            list.Sort();
            int o = column * n2;
            for (int p = 0; p + 1 < list.Count; p += 2)
            {
                int kLow = Math.Max(0, (int)Math.Ceiling(list[p]));
                int kHigh = Math.Min(n2 - 1, (int)Math.Floor(list[p + 1]));
                for (int k = kLow; k <= kHigh; k++)
                {
                    mask[o + k] = 1;
                }
            }
        });
        return mask;
    }
}
