using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Synthetic;

/// <summary>The cohort's folder: the safety check before writing, and the BIDS text files.</summary>
internal static partial class CohortFolder
{
    public const string ParticipantsFile = "participants.tsv";
    public const string DescriptionFile = "dataset_description.json";
    public const string ParticipantsSidecarFile = "participants.json";

    /// <summary>The <c>GeneratedBy</c> name in dataset_description.json that marks a folder as ours.</summary>
    public const string GeneratorName = "Xai4Mri.ML synthetic cohort";

    /// <summary>
    /// Makes sure the folder may receive a cohort: missing or empty is fine; a previous synthetic cohort loses its
    /// old subject images (so no stale subjects survive a smaller regeneration) and keeps everything else; any other
    /// non-empty folder is refused unless <paramref name="overwrite"/> is set, and then nothing in it is deleted.
    /// </summary>
    public static void Prepare(string root, bool overwrite)
    {
        if (File.Exists(root))
        {
            throw new IOException($"{root}: is a file, not a folder");
        }
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(root);
            return;
        }
        if (!Directory.EnumerateFileSystemEntries(root).Any())
        {
            return;
        }
        if (IsSyntheticCohort(root))
        {
            RemovePreviousImages(root);
            return;
        }
        if (!overwrite)
        {
            throw new IOException(
                $"{root}: folder is not empty and is not a synthetic cohort; choose an empty or new folder, or allow overwriting");
        }
    }

    public static bool IsSyntheticCohort(string folder)
    {
        string path = Path.Combine(folder, DescriptionFile);
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("GeneratedBy", out var generatedBy)
                && generatedBy.ValueKind == JsonValueKind.Array
                && generatedBy.EnumerateArray().Any(g =>
                    g.ValueKind == JsonValueKind.Object && g.TryGetProperty("Name", out var name)
                    && name.ValueKind == JsonValueKind.String && name.GetString() == GeneratorName);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Minimal BIDS description; its GeneratedBy entry marks the folder as a synthetic cohort.</summary>
    public static void WriteDescription(string root, SyntheticCohortOptions options, IReadOnlyList<SiteProfile> sites)
    {
        string version = typeof(CohortFolder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        string siteList = string.Join(", ", sites.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Name} ({s.Contrast}, {s.VoxelSize:0.###} mm, {s.Orientation}, {s.DataType.NumpyName()})")));
        string planted = options.PlantedLesionFraction > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; planted lesions of {options.PlantedLesionRadius:0.##} mm in a fraction {options.PlantedLesionFraction:0.###}")
            : "";
        string description = string.Create(CultureInfo.InvariantCulture,
            $"Synthetic brain phantoms, seed {options.Seed}, {options.Subjects} subjects aged {options.MinAge:0.#}-{options.MaxAge:0.#}, "
            + $"patient fraction {options.PatientFraction:0.###}, {(options.WithSkull ? "with skull" : "skull-stripped")}; sites: {siteList}{planted}");
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps '+' in the version readable; the file is data, never embedded in HTML.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("Name", string.Create(CultureInfo.InvariantCulture, $"Synthetic brain cohort (seed {options.Seed})"));
            w.WriteString("BIDSVersion", "1.9.0");
            w.WriteString("DatasetType", "raw");
            w.WriteString("License", "CC0");
            w.WriteStartArray("GeneratedBy");
            w.WriteStartObject();
            w.WriteString("Name", GeneratorName);
            w.WriteString("Version", version);
            w.WriteString("Description", description);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        WriteAtomically(Path.Combine(root, DescriptionFile), Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    /// <summary>participants.tsv (tab-separated, one row per subject) and its JSON sidecar describing the columns.</summary>
    public static void WriteParticipants(string root, IEnumerable<SyntheticSubject> subjects, bool plantedLesionColumn)
    {
        var sb = new StringBuilder("participant_id\tage\tsex\tgroup\tsite" + (plantedLesionColumn ? "\tplanted_lesion\n" : "\n"));
        foreach (var s in subjects)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s.Id}\t{s.Age:0.0}\t{s.Sex}\t{s.Group}\t{s.Site.Name}");
            sb.Append(plantedLesionColumn ? (s.HasPlantedLesion ? "\t1\n" : "\t0\n") : "\n");
        }
        WriteAtomically(Path.Combine(root, ParticipantsFile), sb.ToString());
        string planted = plantedLesionColumn
            ? """
              ,
                "planted_lesion": { "Description": "1 when a white-matter lesion was planted", "Levels": { "0": "none", "1": "planted" } }
              """
            : "";
        string sidecar = $$"""
            {
              "age": { "Description": "age at scan", "Units": "year" },
              "sex": { "Description": "sex", "Levels": { "F": "female", "M": "male" } },
              "group": { "Description": "diagnostic group", "Levels": { "control": "healthy control", "patient": "accelerated brain atrophy" } },
              "site": { "Description": "synthetic scanner site (Xai4Mri.ML SiteProfile name)" }{{planted.TrimEnd()}}
            }

            """;
        WriteAtomically(Path.Combine(root, ParticipantsSidecarFile), sidecar);
    }

    /// <summary>Deletes <c>sub-N/anat/sub-N_T1w.nii.gz</c> files of a previous cohort and the folders this empties.</summary>
    private static void RemovePreviousImages(string root)
    {
        foreach (string subjectDir in Directory.EnumerateDirectories(root, "sub-*"))
        {
            string id = Path.GetFileName(subjectDir);
            if (!SubjectId().IsMatch(id))
            {
                continue;
            }
            string anat = Path.Combine(subjectDir, "anat");
            string image = Path.Combine(anat, $"{id}_T1w.nii.gz");
            if (File.Exists(image))
            {
                File.Delete(image);
            }
            DeleteIfEmpty(anat);
            DeleteIfEmpty(subjectDir);
        }
    }

    private static void DeleteIfEmpty(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    /// <summary>Writes under a temporary name in the same folder and renames, so readers never see a partial file.</summary>
    private static void WriteAtomically(string path, string text)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    [GeneratedRegex("^sub-[0-9]+$")]
    private static partial Regex SubjectId();
}
