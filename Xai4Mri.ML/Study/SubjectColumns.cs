using Microsoft.ML;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The one rule for which column names subjects, used by tables, splits, the loader, the trainers and the analysis:
/// the column the caller names, else <c>sid</c> (xai4mri's study tables), else <c>participant_id</c> (BIDS).
/// </summary>
internal static class SubjectColumns
{
    /// <summary>The default names, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> Candidates = [DatasetColumnNames.Sid, DatasetColumnNames.ParticipantId];

    /// <summary>The default names as a message lists them (<c>'sid' or 'participant_id'</c>).</summary>
    public static string Described => string.Join(" or ", Candidates.Select(c => $"'{c}'"));

    /// <summary>The first of <see cref="Candidates"/> that <paramref name="has"/> holds, or null.</summary>
    public static string? FirstPresent(Func<string, bool> has) => Candidates.FirstOrDefault(has);

    /// <summary>The subject column of a schema: <paramref name="explicitName"/> when given, else a default one that is present, else null.</summary>
    public static string? Find(DataViewSchema schema, string? explicitName) =>
        explicitName ?? FirstPresent(c => schema.GetColumnOrNull(c) is not null);
}
