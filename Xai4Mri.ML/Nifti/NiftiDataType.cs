namespace Xai4Mri.ML.Nifti;

/// <summary>On-disk voxel types, numbered with their NIfTI <c>datatype</c> codes.</summary>
/// <remarks>MGH type codes are mapped onto these when an MGH/MGZ file is read.</remarks>
public enum NiftiDataType : short
{
    /// <summary>unsigned 8-bit integer (NIfTI code 2; MGH MRI_UCHAR).</summary>
    UInt8 = 2,
    /// <summary>signed 16-bit integer (code 4; MGH MRI_SHORT).</summary>
    Int16 = 4,
    /// <summary>signed 32-bit integer (code 8; MGH MRI_INT).</summary>
    Int32 = 8,
    /// <summary>32-bit IEEE float (code 16; MGH MRI_FLOAT).</summary>
    Float32 = 16,
    /// <summary>64-bit IEEE float (code 64).</summary>
    Float64 = 64,
    /// <summary>signed 8-bit integer (code 256).</summary>
    Int8 = 256,
    /// <summary>unsigned 16-bit integer (code 512).</summary>
    UInt16 = 512,
    /// <summary>unsigned 32-bit integer (code 768).</summary>
    UInt32 = 768,
    /// <summary>signed 64-bit integer (code 1024).</summary>
    Int64 = 1024,
    /// <summary>unsigned 64-bit integer (code 1280).</summary>
    UInt64 = 1280,
}
