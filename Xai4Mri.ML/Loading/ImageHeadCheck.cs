using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>What the loader's fit found of one image: head or brain, whether the loader stripped it, and whether it could be used.</summary>
/// <param name="Subject">Subject id (or "row N").</param>
/// <param name="Path">The file.</param>
/// <param name="Verdict">The head check of the file's image as stored (<see cref="HeadCheck"/>).</param>
/// <param name="Evidence">The head check's evidence, in words.</param>
/// <param name="StrippedByLoader">True when <see cref="NiftiLoaderOptions.BrainExtraction"/> stripped the image.</param>
/// <param name="Problem">Why the image holds nothing to learn from (all background, or its brain could not be extracted), else null.</param>
public sealed record ImageHeadCheck(string Subject, string Path, HeadCheckVerdict Verdict, string Evidence, bool StrippedByLoader, string? Problem);
