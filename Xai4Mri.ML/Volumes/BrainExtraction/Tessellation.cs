namespace Xai4Mri.ML.Volumes;

/// <summary>
/// A unit sphere tessellated by repeatedly subdividing an icosahedron (each triangle into four, new vertices
/// pushed out to the sphere): 10·4ⁿ + 2 nearly evenly spaced vertices, each with five or six neighbours, as in
/// Smith (2002). Faces are wound counter-clockwise seen from outside, so their cross products point outwards.
/// </summary>
internal sealed class Tessellation
{
    private Tessellation(double[] x, double[] y, double[] z, int[] faces)
    {
        X = x;
        Y = y;
        Z = z;
        Faces = faces;
        int n = x.Length;
        var neighbours = new SortedSet<int>[n];
        var faceLists = new List<int>[n];
        for (int v = 0; v < n; v++)
        {
            neighbours[v] = [];
            faceLists[v] = [];
        }
        for (int f = 0; f < faces.Length / 3; f++)
        {
            int a = faces[3 * f], b = faces[(3 * f) + 1], c = faces[(3 * f) + 2];
            neighbours[a].Add(b);
            neighbours[a].Add(c);
            neighbours[b].Add(a);
            neighbours[b].Add(c);
            neighbours[c].Add(a);
            neighbours[c].Add(b);
            faceLists[a].Add(f);
            faceLists[b].Add(f);
            faceLists[c].Add(f);
        }
        Neighbours = neighbours.Select(s => s.ToArray()).ToArray();
        VertexFaces = faceLists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Unit-sphere vertex coordinates.</summary>
    public double[] X { get; }

    /// <summary>Unit-sphere vertex coordinates.</summary>
    public double[] Y { get; }

    /// <summary>Unit-sphere vertex coordinates.</summary>
    public double[] Z { get; }

    /// <summary>Three vertex indices per triangle.</summary>
    public int[] Faces { get; }

    /// <summary>The vertices sharing an edge with each vertex, in increasing order.</summary>
    public int[][] Neighbours { get; }

    /// <summary>The triangles around each vertex.</summary>
    public int[][] VertexFaces { get; }

    public int VertexCount => X.Length;

    public int FaceCount => Faces.Length / 3;

    /// <summary>The icosahedron subdivided <paramref name="subdivisions"/> times.</summary>
    public static Tessellation Sphere(int subdivisions)
    {
        double p = (1 + Math.Sqrt(5)) / 2;
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        void Add(double a, double b, double c)
        {
            double norm = Math.Sqrt((a * a) + (b * b) + (c * c));
            x.Add(a / norm);
            y.Add(b / norm);
            z.Add(c / norm);
        }
        Add(-1, p, 0); Add(1, p, 0); Add(-1, -p, 0); Add(1, -p, 0);
        Add(0, -1, p); Add(0, 1, p); Add(0, -1, -p); Add(0, 1, -p);
        Add(p, 0, -1); Add(p, 0, 1); Add(-p, 0, -1); Add(-p, 0, 1);
        var faces = new List<int>
        {
            0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11,
            1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8,
            3, 9, 4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9,
            4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1,
        };
        for (int s = 0; s < subdivisions; s++)
        {
            var midpoints = new Dictionary<long, int>();
            int Midpoint(int a, int b)
            {
                long key = ((long)Math.Min(a, b) << 32) | (uint)Math.Max(a, b);
                if (!midpoints.TryGetValue(key, out int m))
                {
                    m = x.Count;
                    Add((x[a] + x[b]) / 2, (y[a] + y[b]) / 2, (z[a] + z[b]) / 2);
                    midpoints[key] = m;
                }
                return m;
            }
            var next = new List<int>(faces.Count * 4);
            for (int f = 0; f < faces.Count; f += 3)
            {
                int a = faces[f], b = faces[f + 1], c = faces[f + 2];
                int ab = Midpoint(a, b), bc = Midpoint(b, c), ca = Midpoint(c, a);
                next.AddRange([a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca]);
            }
            faces = next;
        }
        int[] faceArray = [.. faces];
        // Wind every face outwards (the list above is consistent, but the check costs nothing and keeps normals right).
        for (int f = 0; f < faceArray.Length; f += 3)
        {
            int a = faceArray[f], b = faceArray[f + 1], c = faceArray[f + 2];
            double ux = x[b] - x[a], uy = y[b] - y[a], uz = z[b] - z[a];
            double vx = x[c] - x[a], vy = y[c] - y[a], vz = z[c] - z[a];
            double nx = (uy * vz) - (uz * vy), ny = (uz * vx) - (ux * vz), nz = (ux * vy) - (uy * vx);
            if ((nx * (x[a] + x[b] + x[c])) + (ny * (y[a] + y[b] + y[c])) + (nz * (z[a] + z[b] + z[c])) < 0)
            {
                (faceArray[f + 1], faceArray[f + 2]) = (c, b);
            }
        }
        return new Tessellation([.. x], [.. y], [.. z], faceArray);
    }
}
