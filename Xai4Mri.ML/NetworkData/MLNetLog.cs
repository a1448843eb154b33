using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Xai4Mri.ML.NetworkData;

/// <summary>Writes the loaders' reports to the ML.NET channel, which <see cref="MLContext.Log"/> subscribers receive.</summary>
internal static class MLNetLog
{
    public static void Warning(MLContext ml, string channel, string message)
    {
        // MLContext implements IHostEnvironment; its channels are the public way to reach MLContext.Log.
        using IChannel ch = ((IHostEnvironment)ml).Start(channel);
        ch.Warning(MessageSensitivity.UserData, message);
    }

    public static void Info(MLContext ml, string channel, string message)
    {
        using IChannel ch = ((IHostEnvironment)ml).Start(channel);
        ch.Info(MessageSensitivity.UserData, message);
    }

    /// <summary>The first <paramref name="max"/> items joined, then "and N more", so that messages stay readable.</summary>
    public static string Shorten(IEnumerable<string> items, int max = 20)
    {
        var list = items.ToList();
        string shown = string.Join(", ", list.Take(max));
        return list.Count > max ? $"{shown}, and {list.Count - max} more" : shown;
    }
}
