namespace Xai4Mri.ML.Nifti;

/// <summary>One NIfTI header extension: its <c>ecode</c> and raw content (without the 8-byte esize/ecode prefix).</summary>
/// <param name="Code">The extension code (e.g. 6 = comment, 4 = AFNI, 14 = DICOM-JSON sidecar).</param>
/// <param name="Content">The extension bytes, padding included.</param>
public sealed record NiftiExtension(int Code, byte[] Content);
