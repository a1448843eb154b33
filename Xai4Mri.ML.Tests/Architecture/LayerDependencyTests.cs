using System.Text.RegularExpressions;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Architecture;

/// <summary>
/// The library keeps the shape docs/architecture.md gives it: each folder uses only the layers its row of the layer
/// table names (read from the compiled code), the table lists every folder and runs bottom to top, and each file
/// declares at most one public type.
/// </summary>
[TestClass]
public sealed partial class LayerDependencyTests
{
    private static readonly LayerGraph Graph = new(typeof(MriNetModel).Assembly, "Xai4Mri.ML");

    [TestMethod]
    public void EveryFolderUsesOnlyTheLayersItsRowNames()
    {
        var allowed = LayerTable();
        var offences = Graph.Edges
            .Where(e => e.Key.From != "" && !(allowed.TryGetValue(e.Key.From, out var uses) && uses.Contains(e.Key.To)))
            .Select(e => $"{e.Key.From} uses {e.Key.To} ({string.Join("; ", e.Value)})")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.IsEmpty(offences, "uses that docs/architecture.md does not allow:\n" + string.Join("\n", offences));
    }

    [TestMethod]
    public void TheTableListsEveryFolderAndRunsBottomToTop()
    {
        var rows = LayerRows();
        var folders = Graph.Layers.Keys.Where(k => k != "").ToHashSet(StringComparer.Ordinal);
        CollectionAssert.AreEquivalent(folders.Order(StringComparer.Ordinal).ToList(), rows.Select(r => r.Layer).Order(StringComparer.Ordinal).ToList(),
            "the layer table and the library's folders");
        for (int i = 0; i < rows.Count; i++)
        {
            var below = rows.Take(i).Select(r => r.Layer).ToHashSet(StringComparer.Ordinal);
            var above = rows[i].Uses.Where(u => !below.Contains(u)).ToList();
            Assert.IsEmpty(above, $"{rows[i].Layer} may use only layers listed above it, not {string.Join(", ", above)}");
        }
        Assert.IsNull(Graph.FindCycle(), $"a cycle: {string.Join(" → ", Graph.FindCycle() ?? [])}");
    }

    [TestMethod]
    public void TheRootNamespaceHoldsOnlyTheCatalogs()
    {
        var root = typeof(MriNetModel).Assembly.GetTypes().Where(t => t.Namespace == "Xai4Mri.ML" && !t.Name.Contains('<', StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(root);
        foreach (var type in root)
        {
            Assert.IsTrue(type.IsPublic && type.IsAbstract && type.IsSealed && type.Name.EndsWith("Catalog", StringComparison.Ordinal), $"{type.Name} in the root namespace is not a catalog class");
        }
    }

    [TestMethod]
    public void EachFileDeclaresAtMostOnePublicType()
    {
        var files = Directory.EnumerateFiles(Path.Combine(TestPaths.Repository, "Xai4Mri.ML"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.IsGreaterThan(100, files.Count);
        var crowded = files.Where(f => PublicType().Matches(File.ReadAllText(f)).Count > 1).Select(f => Path.GetFileName(f)).ToList();
        Assert.IsEmpty(crowded, "files with more than one public top-level type: " + string.Join(", ", crowded));
    }

    /// <summary>The layer table of docs/architecture.md: each row's folder and the layers it may use, in table order.</summary>
    private static List<(string Layer, HashSet<string> Uses)> LayerRows()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.Repository, "docs", "architecture.md"));
        int start = doc.IndexOf("## Layers", StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, start, "docs/architecture.md has a Layers section");
        var rows = new List<(string, HashSet<string>)>();
        foreach (Match row in TableRow().Matches(doc[start..]))
        {
            string uses = row.Groups["uses"].Value.Trim();
            var names = uses == "—" ? [] : uses.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            rows.Add((row.Groups["layer"].Value, names));
        }
        Assert.IsGreaterThan(5, rows.Count, "the layer table was read");
        return rows;
    }

    private static Dictionary<string, HashSet<string>> LayerTable() => LayerRows().ToDictionary(r => r.Layer, r => r.Uses, StringComparer.Ordinal);

    [GeneratedRegex(@"^\| `(?<layer>\w+)/` \|[^\n]*\| (?<uses>[^|\n]+) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^public\s+(?:(?:sealed|static|abstract|readonly|partial|record)\s+)*(?:class|record|struct|enum|interface)\s+\w+", RegexOptions.Multiline)]
    private static partial Regex PublicType();
}
