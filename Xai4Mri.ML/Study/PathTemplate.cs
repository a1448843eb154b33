using System.Text;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A path pattern such as <c>{sid}/anat/{sid}_T1w.nii.gz</c>: <c>{name}</c> is replaced by the row's value in column
/// <c>name</c> (<c>{sid}</c> always by the subject id), <c>{{</c> and <c>}}</c> stand for literal braces.
/// </summary>
internal sealed class PathTemplate
{
    private readonly List<(string Text, bool IsColumn)> _parts;

    private PathTemplate(string text, List<(string, bool)> parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>The column names the template refers to.</summary>
    public IEnumerable<string> Columns => _parts.Where(p => p.IsColumn).Select(p => p.Text).Distinct();

    /// <exception cref="ArgumentException">A brace is not closed or not escaped, or a placeholder is empty.</exception>
    public static PathTemplate Parse(string template)
    {
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                int close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new ArgumentException($"path template '{template}': '{{' at position {i + 1} is not closed (write '{{{{' for a literal brace)", nameof(template));
                }
                string name = template[(i + 1)..close];
                if (name.Trim().Length == 0 || name.Contains('{'))
                {
                    throw new ArgumentException($"path template '{template}': '{{{name}}}' does not name a column", nameof(template));
                }
                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), false));
                    literal.Clear();
                }
                parts.Add((name, true));
                i = close;
            }
            else if (c == '}')
            {
                throw new ArgumentException($"path template '{template}': '}}' at position {i + 1} has no opening brace (write '}}}}' for a literal brace)", nameof(template));
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }
        return new PathTemplate(template, parts);
    }

    /// <summary>The template with every placeholder replaced by <paramref name="valueOf"/>(name).</summary>
    public string Expand(Func<string, string> valueOf)
    {
        var result = new StringBuilder();
        foreach ((string text, bool isColumn) in _parts)
        {
            result.Append(isColumn ? valueOf(text) : text);
        }
        return result.ToString();
    }
}
