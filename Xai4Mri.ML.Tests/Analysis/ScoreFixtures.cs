using System.Text.Json;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>The NumPy / SciPy reference values of Fixtures/scores/scores_expected.json (written by make_scores_fixtures.py).</summary>
internal static class ScoreFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("scores/scores_expected.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>The cases of one section by name.</summary>
    public static Dictionary<string, JsonElement> Cases(string section) =>
        Root.GetProperty(section).EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);

    public static double[,] Matrix(JsonElement rows)
    {
        var r = rows.EnumerateArray().Select(x => x.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var m = new double[r.Length, r.Length == 0 ? 0 : r[0].Length];
        for (int i = 0; i < r.Length; i++)
        {
            for (int j = 0; j < r[i].Length; j++)
            {
                m[i, j] = r[i][j];
            }
        }
        return m;
    }

    public static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    public static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];

    /// <summary>|actual − expected| within <paramref name="relative"/> of |expected| (absolute near 0).</summary>
    public static void Close(double expected, double actual, double relative, string what) =>
        Assert.AreEqual(expected, actual, relative * Math.Max(1e-12, Math.Abs(expected)), what);

    /// <summary>An <see cref="ArgumentException"/> (exactly, or a subclass when <typeparamref name="T"/> says so) naming the parameter, with the message part.</summary>
    public static void Expect<T>(string paramName, string messagePart, Action call)
        where T : ArgumentException
    {
        var e = Assert.ThrowsExactly<T>(call);
        Assert.AreEqual(paramName, e.ParamName, e.Message);
        Assert.Contains(messagePart, e.Message);
    }
}
