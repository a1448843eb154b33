namespace Xai4Mri.ML.Nifti;

/// <summary>Sizes, names and CLR types of <see cref="NiftiDataType"/> values.</summary>
public static class NiftiDataTypeInfo
{
    /// <summary>Whether <paramref name="code"/> is one of the numeric types the reader supports.</summary>
    public static bool IsSupported(int code) => code switch
    {
        2 or 4 or 8 or 16 or 64 or 256 or 512 or 768 or 1024 or 1280 => true,
        _ => false,
    };

    /// <summary>Bytes per voxel.</summary>
    public static int SizeOf(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported NIfTI data type"),
    };

    /// <summary>The NumPy name of the type (<c>"int16"</c>, <c>"float32"</c>, …), as nibabel reports it.</summary>
    public static string NumpyName(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => "uint8",
        NiftiDataType.Int8 => "int8",
        NiftiDataType.Int16 => "int16",
        NiftiDataType.UInt16 => "uint16",
        NiftiDataType.Int32 => "int32",
        NiftiDataType.UInt32 => "uint32",
        NiftiDataType.Int64 => "int64",
        NiftiDataType.UInt64 => "uint64",
        NiftiDataType.Float32 => "float32",
        NiftiDataType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported NIfTI data type"),
    };

    /// <summary>The CLR element type of the raw array for this type.</summary>
    public static Type ClrType(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => typeof(byte),
        NiftiDataType.Int8 => typeof(sbyte),
        NiftiDataType.Int16 => typeof(short),
        NiftiDataType.UInt16 => typeof(ushort),
        NiftiDataType.Int32 => typeof(int),
        NiftiDataType.UInt32 => typeof(uint),
        NiftiDataType.Int64 => typeof(long),
        NiftiDataType.UInt64 => typeof(ulong),
        NiftiDataType.Float32 => typeof(float),
        NiftiDataType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported NIfTI data type"),
    };
}
