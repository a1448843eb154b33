using System.Text;

namespace Xai4Mri.ML.Study;

/// <summary>
/// Reads study tables: .csv (RFC 4180: comma-separated, fields optionally in double quotes, <c>""</c> for a quote,
/// quoted fields may span lines) and .tsv (tab-separated, no quoting, as BIDS prescribes). UTF-8 with or without BOM.
/// </summary>
internal static class DelimitedTextReader
{
    // Strict decoding: a table saved as Latin-1 would otherwise load with replacement characters in subject ids.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and checks a table: the header names are trimmed, non-empty and unique, and every record has as many fields as the header.</summary>
    /// <exception cref="DatasetException">The file is missing, unreadable, not UTF-8, malformed, or has no header.</exception>
    public static TextTable Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        char separator = SeparatorFor(full);
        string text = ReadText(full);
        List<TextRecord> records = separator == ',' ? ParseCsv(full, text) : ParseTsv(text);
        if (records.Count == 0)
        {
            throw new DatasetException(full, "the file is empty (a header line naming the columns is needed)");
        }
        TextRecord header = records[0];
        string[] names = CheckHeader(full, header);
        records.RemoveAt(0);
        foreach (TextRecord record in records)
        {
            if (record.Fields.Length != names.Length)
            {
                throw new DatasetException(full,
                    $"{record.Fields.Length} fields, but the header (line {header.Line}) has {names.Length} columns", record.Line);
            }
        }
        return new TextTable(full, header.Line, names, records);
    }

    private static char SeparatorFor(string path)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => ',',
            ".tsv" => '\t',
            _ => throw new DatasetException(path, $"a study table must be .csv or .tsv, not '{extension}'"),
        };
    }

    private static string ReadText(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string problem = e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the file ({e.Message})";
            throw new DatasetException(path, problem, inner: e);
        }
        ReadOnlySpan<byte> content = bytes;
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            content = content[3..];
        }
        try
        {
            return StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            throw new DatasetException(path, $"not valid UTF-8 (byte {e.Index + (bytes.Length - content.Length)}); save the table as UTF-8", inner: e);
        }
    }

    private static string[] CheckHeader(string path, TextRecord header)
    {
        var names = new string[header.Fields.Length];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string name = header.Fields[i].Trim();
            if (name.Length == 0)
            {
                throw new DatasetException(path, $"column {i + 1} of the header has no name", header.Line);
            }
            if (name.Any(char.IsControl))
            {
                throw new DatasetException(path, $"column {i + 1} of the header, '{name}', contains a control character (tab or line break)", header.Line);
            }
            if (seen.TryGetValue(name, out int first))
            {
                throw new DatasetException(path, $"column name '{name}' appears twice (columns {first + 1} and {i + 1}); column names must be unique", header.Line);
            }
            seen.Add(name, i);
            names[i] = name;
        }
        return names;
    }

    /// <summary>Splits TSV text into records at CRLF, LF or CR; empty lines are skipped.</summary>
    private static List<TextRecord> ParseTsv(string text)
    {
        // Not string.EnumerateLines: it also breaks at form feed and Unicode line separators, which may be in values.
        var records = new List<TextRecord>();
        int line = 1;
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !IsLineBreak(text[i]))
            {
                continue;
            }
            if (i > start)
            {
                records.Add(new TextRecord(line, text[start..i].Split('\t')));
            }
            i = SkipLineBreak(text, i) - 1;
            start = i + 1;
            line++;
        }
        return records;
    }

    /// <summary>Splits CSV text into records following RFC 4180 (line breaks CRLF, LF or CR); empty lines are skipped.</summary>
    private static List<TextRecord> ParseCsv(string path, string text)
    {
        var records = new List<TextRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        int i = 0;
        bool recordHasContent = false;
        while (i <= text.Length)
        {
            if (i == text.Length || IsLineBreak(text[i]))
            {
                if (recordHasContent)
                {
                    fields.Add(field.ToString());
                    records.Add(new TextRecord(recordLine, fields.ToArray()));
                }
                fields.Clear();
                field.Clear();
                recordHasContent = false;
                i = SkipLineBreak(text, i);
                line++;
                recordLine = line;
                continue;
            }
            char c = text[i];
            recordHasContent = true;
            if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (c == '"')
            {
                if (field.Length > 0)
                {
                    throw new DatasetException(path, $"a double quote inside unquoted field {fields.Count + 1}; quote the whole field and double the quote (\"\")", line);
                }
                int quoteLine = line;
                i++;
                while (true)
                {
                    if (i == text.Length)
                    {
                        throw new DatasetException(path, $"field {fields.Count + 1} opens a double quote that is never closed", quoteLine);
                    }
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (IsLineBreak(text[i]))
                    {
                        int next = SkipLineBreak(text, i);
                        field.Append(text, i, next - i);
                        i = next;
                        line++;
                        continue;
                    }
                    field.Append(text[i]);
                    i++;
                }
                if (i < text.Length && text[i] != ',' && !IsLineBreak(text[i]))
                {
                    throw new DatasetException(path, $"text after the closing double quote of field {fields.Count + 1}", line);
                }
            }
            else
            {
                field.Append(c);
                i++;
            }
        }
        return records;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r';

    /// <summary>The index after the line break at <paramref name="i"/> (CRLF counts as one); <paramref name="i"/> itself at the end of the text.</summary>
    private static int SkipLineBreak(string text, int i)
    {
        if (i >= text.Length)
        {
            return i + 1;
        }
        return text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
    }
}
