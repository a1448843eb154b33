namespace Xai4Mri.ML.Synthetic;

/// <summary>The tissue contrast a synthetic site acquires.</summary>
public enum SyntheticContrast
{
    /// <summary>T1-weighted: white matter bright, grey matter mid, CSF dark; white-matter lesions hypointense.</summary>
    T1w,

    /// <summary>FLAIR: CSF suppressed (dark), grey matter brighter than white matter, white-matter lesions hyperintense.</summary>
    Flair,
}
