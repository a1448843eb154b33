using System.Text.Json;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// Reference values computed with nibabel 5.0 by Fixtures/make_fixtures.py (see Fixtures/PROVENANCE.md), keyed by
/// fixture path.
/// </summary>
internal static class ExpectedValues
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Entries = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("expected.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(e => e.GetProperty("file").GetString()!, e => e.Clone());
    });

    public static JsonElement For(string file) => Entries.Value[file];

    public static IEnumerable<object[]> SupportedFiles() =>
        Entries.Value.Where(kv => !kv.Value.TryGetProperty("unsupported_datatype_code", out _)).Select(kv => new object[] { kv.Key });

    public static IEnumerable<object[]> UnsupportedFiles() =>
        Entries.Value.Where(kv => kv.Value.TryGetProperty("unsupported_datatype_code", out _)).Select(kv => new object[] { kv.Key });

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static double? NullableDouble(this JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();

    /// <summary>Relative comparison with an absolute floor for values near zero.</summary>
    public static void AreClose(double expected, double actual, double relative, string what)
    {
        double tolerance = relative * Math.Max(1, Math.Abs(expected));
        Assert.IsTrue(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
