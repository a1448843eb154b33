using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Xai4Mri.ML.Tests.Packaging;

/// <summary>
/// nuget.org shows a package's README without the repository around it, so a link or image relative to the repository
/// breaks there, and the product points to nothing outside it: the README each package carries has no links or images
/// at all and names the docs as text.
/// </summary>
[TestClass]
public sealed partial class PackageReadmeTests
{
    [TestMethod]
    [DataRow("Xai4Mri.ML/Xai4Mri.ML.csproj")]
    [DataRow("tools/Xai4Mri.Cli/Xai4Mri.Cli.csproj")]
    public void ThePackedReadmeHasNoLinks(string project)
    {
        string readme = File.ReadAllText(PackedReadme(project));
        StringAssert.Contains(readme, "docs/", $"{project}: the README names the docs");
        var targets = Targets(readme);
        Assert.IsEmpty(targets, $"{project}: links in the packed README: {string.Join(", ", targets)}");
        Assert.DoesNotContain("://", readme, $"{project}: an address outside the repository");
    }

    [TestMethod]
    public void TheCheckFindsTheRepositoryReadmesLinks()
    {
        // The repository's own README links into docs/ and shows images from it; the same reading must find those.
        var targets = Targets(File.ReadAllText(Path.Combine(TestPaths.Repository, "README.md")));
        CollectionAssert.IsSubsetOf(new[] { "docs/getting-started.md", "docs/images/quickstart-relevance.png" }, targets);
    }

    /// <summary>The file a project packs as its README: the packed None item named like PackageReadmeFile, at the package root.</summary>
    private static string PackedReadme(string project)
    {
        string path = Path.Combine(TestPaths.Repository, project);
        var xml = XDocument.Load(path);
        string name = xml.Descendants("PackageReadmeFile").Single().Value;
        var item = xml.Descendants("None").Single(n => (string?)n.Attribute("Pack") == "true" && (string?)n.Attribute("PackagePath") == "/"
            && Path.GetFileName(Source(n)) == name);
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Source(item)));
    }

    private static string Source(XElement item) => (string?)item.Attribute("Update") ?? (string?)item.Attribute("Include") ?? "";

    private static List<string> Targets(string markdown) => [.. Link().Matches(markdown).Select(m => m.Groups["target"].Value)];

    /// <summary>Inline Markdown links and images, HTML src/href attributes, and reference definitions.</summary>
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)|\b(?:src|href)=""(?<target>[^""]+)""|^\s*\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex Link();
}
