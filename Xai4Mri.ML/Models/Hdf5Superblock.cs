using System.Buffers.Binary;

namespace Xai4Mri.ML.Models;

/// <summary>
/// The end-of-file address an HDF5 superblock records. PureHDF reads lazily and does not notice a truncated file
/// whose missing tail it never touches; libhdf5 refuses such files ("truncated file"), and so do we.
/// </summary>
internal static class Hdf5Superblock
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// The file size the superblock records (base address + end-of-file address), or null when no superblock is
    /// found (then the HDF5 reader reports the problem).
    /// </summary>
    public static long? RecordedLength(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> block = stackalloc byte[56];
        // The superblock sits at 0, 512, 1024, 2048, … (after an optional user block).
        for (long at = 0; at + block.Length <= stream.Length; at = at == 0 ? 512 : at * 2)
        {
            stream.Position = at;
            stream.ReadExactly(block);
            if (!block[..8].SequenceEqual(Signature))
            {
                continue;
            }
            int version = block[8];
            // Versions 0/1: offsets size at byte 13, then base, free-space and end-of-file addresses after the
            // fixed fields (16 bytes, 20 in version 1). Versions 2/3: offsets size at byte 9, addresses from 12.
            (int sizeOfOffsets, int first) = version switch
            {
                0 => (block[13], 24),
                1 => (block[13], 28),
                _ => (block[9], 12),
            };
            if (sizeOfOffsets != 8)
            {
                return null;
            }
            // In every version the end-of-file address comes two addresses after the base address.
            ulong baseAddress = BinaryPrimitives.ReadUInt64LittleEndian(block[first..]);
            ulong eof = BinaryPrimitives.ReadUInt64LittleEndian(block[(first + 16)..]);
            return baseAddress + eof is var total and <= long.MaxValue ? (long)total : null;
        }
        return null;
    }
}
