using System.IO.Compression;

namespace Xai4Mri.ML.Nifti;

/// <summary>Opening image files: existence checks, gzip detection, .hdr/.img pairing, and I/O errors as <see cref="ImageFormatException"/>.</summary>
internal static class ImageFileAccess
{
    /// <summary>Deflate cannot expand data by more than about 1032:1; a claim beyond that is a damaged header.</summary>
    public const long MaxDeflateRatio = 1032;

    public static bool IsGzip(string path)
    {
        using var fs = OpenRaw(path);
        Span<byte> magic = stackalloc byte[2];
        return fs.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    public static FileStream OpenRaw(string path, int bufferSize = 4096)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImageFormatException(path, MissingOrUnopenable(path, e), e);
        }
    }

    /// <summary>
    /// The one wording for a path that cannot be opened as a file, so that every reader (and the cache, which hashes
    /// the file first) says the same: a folder is named as such instead of "access denied" or "not found".
    /// </summary>
    public static string MissingOrUnopenable(string path, Exception? error = null)
    {
        if (Directory.Exists(path))
        {
            return "is a directory, not an image file";
        }
        return error is null or FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot open file ({error.Message})";
    }

    /// <summary>Opens <paramref name="path"/> for sequential reading, inflating it when it is gzip-compressed.</summary>
    public static Stream OpenRead(string path, bool gzip, int bufferSize = 1 << 16)
    {
        FileStream fs = OpenRaw(path, gzip ? bufferSize : 4096);
        return gzip ? new GZipStream(fs, CompressionMode.Decompress, leaveOpen: false) : fs;
    }

    public static long Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageFormatException(path, $"cannot read file size ({e.Message})", e);
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns how many were read (fewer only at end of stream).</summary>
    public static int ReadUpTo(Stream s, Span<byte> buffer, string path)
    {
        try
        {
            return s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ImageFormatException(path, $"corrupt or truncated compressed data ({e.Message})", e);
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes of a sequential stream.</summary>
    public static void Skip(Stream s, long count, string path, string what)
    {
        if (s.CanSeek)
        {
            s.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int n = ReadUpTo(s, buffer.AsSpan(0, (int)Math.Min(count, buffer.Length)), path);
            if (n == 0)
            {
                throw new ImageFormatException(path, $"file ends before {what}");
            }
            count -= n;
        }
    }

    private static readonly string[] PairSuffixes = [".img", ".img.gz", ".IMG", ".IMG.gz", ".img.GZ"];
    private static readonly string[] HeaderSuffixes = [".hdr", ".hdr.gz", ".HDR", ".HDR.gz", ".hdr.GZ"];

    /// <summary>For a path ending in .hdr/.img (optionally .gz), the header and image file names of the pair.</summary>
    public static (string Header, string Image)? ResolvePair(string path)
    {
        string lower = path.ToLowerInvariant();
        bool isHdr = lower.EndsWith(".hdr", StringComparison.Ordinal) || lower.EndsWith(".hdr.gz", StringComparison.Ordinal);
        bool isImg = lower.EndsWith(".img", StringComparison.Ordinal) || lower.EndsWith(".img.gz", StringComparison.Ordinal);
        if (!isHdr && !isImg)
        {
            return null;
        }
        string stem = path[..^(lower.EndsWith(".gz", StringComparison.Ordinal) ? 7 : 4)];
        string[] partnerSuffixes = isHdr ? PairSuffixes : HeaderSuffixes;
        string? partner = partnerSuffixes.Select(s => stem + s).FirstOrDefault(File.Exists);
        if (partner is null)
        {
            string expected = stem + (isHdr ? ".img" : ".hdr");
            throw new ImageFormatException(path, $"the {(isHdr ? "image" : "header")} file of this pair is missing (looked for {expected} and {expected}.gz)");
        }
        return isHdr ? (path, partner) : (partner, path);
    }
}
