namespace Xai4Mri.ML.Volumes;

/// <summary>A tessellated surface in world millimetres: vertex positions on a fixed <see cref="Tessellation"/>, with vertex normals.</summary>
internal sealed class SurfaceModel
{
    private readonly double[] _faceX, _faceY, _faceZ;

    /// <summary>A sphere of <paramref name="radius"/> mm around <paramref name="centre"/>.</summary>
    public SurfaceModel(Tessellation mesh, (double X, double Y, double Z) centre, double radius)
    {
        Mesh = mesh;
        int n = mesh.VertexCount;
        X = new double[n];
        Y = new double[n];
        Z = new double[n];
        for (int v = 0; v < n; v++)
        {
            X[v] = centre.X + (radius * mesh.X[v]);
            Y[v] = centre.Y + (radius * mesh.Y[v]);
            Z[v] = centre.Z + (radius * mesh.Z[v]);
        }
        NormalX = new double[n];
        NormalY = new double[n];
        NormalZ = new double[n];
        _faceX = new double[mesh.FaceCount];
        _faceY = new double[mesh.FaceCount];
        _faceZ = new double[mesh.FaceCount];
        UpdateNormals();
    }

    public Tessellation Mesh { get; }

    public double[] X { get; }

    public double[] Y { get; }

    public double[] Z { get; }

    /// <summary>Unit outward normal per vertex: the normalised sum of the area-weighted normals of its triangles.</summary>
    public double[] NormalX { get; }

    /// <summary>See <see cref="NormalX"/>.</summary>
    public double[] NormalY { get; }

    /// <summary>See <see cref="NormalX"/>.</summary>
    public double[] NormalZ { get; }

    /// <summary>Recomputes the vertex normals from the current positions.</summary>
    public void UpdateNormals()
    {
        int[] faces = Mesh.Faces;
        for (int f = 0; f < Mesh.FaceCount; f++)
        {
            int a = faces[3 * f], b = faces[(3 * f) + 1], c = faces[(3 * f) + 2];
            double ux = X[b] - X[a], uy = Y[b] - Y[a], uz = Z[b] - Z[a];
            double vx = X[c] - X[a], vy = Y[c] - Y[a], vz = Z[c] - Z[a];
            _faceX[f] = (uy * vz) - (uz * vy);
            _faceY[f] = (uz * vx) - (ux * vz);
            _faceZ[f] = (ux * vy) - (uy * vx);
        }
        for (int v = 0; v < Mesh.VertexCount; v++)
        {
            double nx = 0, ny = 0, nz = 0;
            foreach (int f in Mesh.VertexFaces[v])
            {
                nx += _faceX[f];
                ny += _faceY[f];
                nz += _faceZ[f];
            }
            double norm = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
            if (norm > 0)
            {
                nx /= norm;
                ny /= norm;
                nz /= norm;
            }
            NormalX[v] = nx;
            NormalY[v] = ny;
            NormalZ[v] = nz;
        }
    }

    /// <summary>Mean length of the edges from each vertex to its neighbours, averaged over the vertices (Smith's l).</summary>
    public double MeanEdgeLength()
    {
        double total = 0;
        for (int v = 0; v < Mesh.VertexCount; v++)
        {
            double sum = 0;
            int[] nb = Mesh.Neighbours[v];
            foreach (int w in nb)
            {
                double dx = X[w] - X[v], dy = Y[w] - Y[v], dz = Z[w] - Z[v];
                sum += Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            }
            total += sum / nb.Length;
        }
        return total / Mesh.VertexCount;
    }

    /// <summary>Volume enclosed by the surface (mm³), by the divergence theorem over its triangles.</summary>
    public double EnclosedVolume()
    {
        int[] faces = Mesh.Faces;
        double six = 0;
        for (int f = 0; f < Mesh.FaceCount; f++)
        {
            int a = faces[3 * f], b = faces[(3 * f) + 1], c = faces[(3 * f) + 2];
            six += (X[a] * ((Y[b] * Z[c]) - (Z[b] * Y[c])))
                - (Y[a] * ((X[b] * Z[c]) - (Z[b] * X[c])))
                + (Z[a] * ((X[b] * Y[c]) - (Y[b] * X[c])));
        }
        return six / 6;
    }

    /// <summary>
    /// Smith's (2002) test for a self-intersecting surface: vertices that lay far apart on the initial sphere but
    /// now come closer than half the mean edge length mean the surface has folded through itself.
    /// </summary>
    public bool SelfIntersects()
    {
        double l = MeanEdgeLength();
        double near = 0.5 * l;
        // Far apart on the sphere: more than three mean edges of the unit tessellation.
        double farOnSphere = 3 * UnitEdgeLength();
        int n = Mesh.VertexCount;
        var cells = new Dictionary<(long, long, long), List<int>>();
        (long, long, long) Cell(int v) => ((long)Math.Floor(X[v] / near), (long)Math.Floor(Y[v] / near), (long)Math.Floor(Z[v] / near));
        for (int v = 0; v < n; v++)
        {
            var key = Cell(v);
            if (!cells.TryGetValue(key, out var list))
            {
                cells[key] = list = [];
            }
            list.Add(v);
        }
        for (int v = 0; v < n; v++)
        {
            var (cx, cy, cz) = Cell(v);
            for (long dx = -1; dx <= 1; dx++)
            {
                for (long dy = -1; dy <= 1; dy++)
                {
                    for (long dz = -1; dz <= 1; dz++)
                    {
                        if (!cells.TryGetValue((cx + dx, cy + dy, cz + dz), out var list))
                        {
                            continue;
                        }
                        foreach (int w in list)
                        {
                            if (w <= v)
                            {
                                continue;
                            }
                            double ex = X[w] - X[v], ey = Y[w] - Y[v], ez = Z[w] - Z[v];
                            if ((ex * ex) + (ey * ey) + (ez * ez) >= near * near)
                            {
                                continue;
                            }
                            double sx = Mesh.X[w] - Mesh.X[v], sy = Mesh.Y[w] - Mesh.Y[v], sz = Mesh.Z[w] - Mesh.Z[v];
                            if (Math.Sqrt((sx * sx) + (sy * sy) + (sz * sz)) > farOnSphere)
                            {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        return false;
    }

    private double UnitEdgeLength()
    {
        double total = 0;
        int count = 0;
        for (int v = 0; v < Mesh.VertexCount; v++)
        {
            foreach (int w in Mesh.Neighbours[v])
            {
                double dx = Mesh.X[w] - Mesh.X[v], dy = Mesh.Y[w] - Mesh.Y[v], dz = Mesh.Z[w] - Mesh.Z[v];
                total += Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
                count++;
            }
        }
        return total / count;
    }
}
