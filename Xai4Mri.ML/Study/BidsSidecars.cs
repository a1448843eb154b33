using System.Text.Json;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The <c>.json</c> sidecars of a BIDS dataset's images by the inheritance principle: a sidecar named
/// <c>[entities_]&lt;suffix&gt;.json</c> applies to an image below its folder (dataset root, subject, session or the
/// image's own datatype folder) when its entities are a subset of the image's; the nearer folder wins, and within a
/// folder the sidecar with more entities (as pybids orders them).
/// </summary>
internal sealed class BidsSidecars
{
    private readonly string _root;
    private readonly string _suffix;
    private readonly IReadOnlyList<string> _fields;
    private readonly Dictionary<string, List<Candidate>> _byFolder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _parsed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public BidsSidecars(string root, string suffix, IReadOnlyList<string> fields)
    {
        _root = root;
        _suffix = suffix;
        _fields = fields;
    }

    /// <summary>Every sidecar parsed so far (absolute paths).</summary>
    public IEnumerable<string> FilesRead => _parsed.Keys;

    /// <summary>Non-scalar fields and ambiguous sidecars, each once.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The requested fields' values for <paramref name="image"/>, each with the sidecar it came from, and whether any sidecar applies.</summary>
    /// <exception cref="DatasetException">An applicable sidecar is not valid JSON or not a JSON object.</exception>
    public (Dictionary<string, (string Text, string Source)> Values, bool Applicable) For(BidsImage image)
    {
        var entities = new Dictionary<string, string>(StringComparer.Ordinal) { ["sub"] = image.Subject[4..] };
        var folders = new List<string> { _root, Path.Combine(_root, image.Subject) };
        if (image.Session.Length > 0)
        {
            entities["ses"] = image.Session[4..];
            folders.Add(Path.Combine(_root, image.Subject, image.Session));
        }
        if (image.Acquisition.Length > 0)
        {
            entities["acq"] = image.Acquisition;
        }
        if (image.Run.Length > 0)
        {
            entities["run"] = image.Run[4..];
        }
        folders.Add(Path.GetDirectoryName(image.Path)!);

        var values = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        bool applicable = false;
        foreach (string folder in folders)
        {
            var here = Candidates(folder).Where(c => c.Entities.All(e => entities.TryGetValue(e.Key, out string? v) && SameLabel(e.Key, v, e.Value)))
                .OrderBy(c => c.Entities.Count).ThenBy(c => c.Path, StringComparer.Ordinal).ToList();
            for (int i = 1; i < here.Count; i++)
            {
                if (here[i].Entities.Count == here[i - 1].Entities.Count && _warned.Add(here[i - 1].Path + "\n" + here[i].Path))
                {
                    Warnings.Add($"{here[i - 1].Path} and {here[i].Path} both apply to the same images at one level (BIDS allows one); the second in name order wins where both set a field");
                }
            }
            foreach (Candidate sidecar in here)
            {
                applicable = true;
                foreach (var (field, value) in Fields(sidecar.Path))
                {
                    values[field] = (value, sidecar.Path);
                }
            }
        }
        return (values, applicable);
    }

    /// <summary>Run indices compare as numbers (run-01 is run-1, as in pybids); other labels as text.</summary>
    private static bool SameLabel(string key, string a, string b) =>
        key == "run" && int.TryParse(a, out int x) && int.TryParse(b, out int y) ? x == y : a == b;

    /// <summary>The sidecars of the suffix in <paramref name="folder"/>, with the entities their names carry.</summary>
    private List<Candidate> Candidates(string folder)
    {
        if (_byFolder.TryGetValue(folder, out List<Candidate>? cached))
        {
            return cached;
        }
        var found = new List<Candidate>();
        string ending = _suffix + ".json";
        if (Directory.Exists(folder))
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*" + ending))
            {
                string name = Path.GetFileName(file);
                string prefix = name[..^ending.Length];
                if (prefix.Length > 0 && !prefix.EndsWith('_'))
                {
                    continue;
                }
                var entities = new Dictionary<string, string>(StringComparer.Ordinal);
                bool valid = true;
                foreach (string part in prefix.Split('_', StringSplitOptions.RemoveEmptyEntries))
                {
                    int dash = part.IndexOf('-');
                    valid &= dash > 0 && dash < part.Length - 1 && entities.TryAdd(part[..dash], part[(dash + 1)..]);
                }
                if (valid)
                {
                    found.Add(new Candidate(Path.GetFullPath(file), entities));
                }
            }
        }
        _byFolder[folder] = found;
        return found;
    }

    /// <summary>The requested scalar fields of one sidecar, parsed once.</summary>
    private Dictionary<string, string> Fields(string path)
    {
        if (_parsed.TryGetValue(path, out var cached))
        {
            return cached;
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, $"cannot read the sidecar ({e.Message})", inner: e);
        }
        ReadOnlyMemory<byte> content = bytes;
        if (content.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            content = content[3..];
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException(path, $"a sidecar must hold a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
            foreach (JsonProperty property in document.RootElement.EnumerateObject().Where(p => _fields.Contains(p.Name, StringComparer.Ordinal)))
            {
                JsonElement v = property.Value;
                string? text = v.ValueKind switch
                {
                    JsonValueKind.Number => v.GetRawText(),
                    JsonValueKind.String => v.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
                if (v.ValueKind == JsonValueKind.Null)
                {
                    // null says nothing about the file, like n/a in a table: a less specific sidecar's value stays.
                    continue;
                }
                if (text is null)
                {
                    Warnings.Add($"{path}: field '{property.Name}' is a JSON {v.ValueKind.ToString().ToLowerInvariant()}, not a scalar; not joined");
                    continue;
                }
                fields[property.Name] = text;
            }
        }
        catch (JsonException e)
        {
            // The reader's message ends with its own 0-based position, which would contradict the 1-based line given here.
            string reason = e.Message;
            int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = cut > 0 ? reason[..cut] : reason;
            string column = e.BytePositionInLine is long b ? $" (byte {b + 1} of the line)" : "";
            throw new DatasetException(path, $"not valid JSON: {reason}{column}", line: e.LineNumber is long n ? (int)n + 1 : null, inner: e);
        }
        _parsed[path] = fields;
        return fields;
    }

    private sealed record Candidate(string Path, Dictionary<string, string> Entities);
}
