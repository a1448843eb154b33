using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// What one ExplainMriNet explains with, as the text its saved chain carries: the options as JSON and the network as
/// its <c>.x4m</c> file, each base64 (so the text is a valid string literal of ML.NET's <c>Expression</c>), joined by
/// a dot. Parsed once per distinct text and process.
/// </summary>
internal sealed class ExplainConfig
{
    // Few explanations are alive at once; a handful of parsed networks keeps memory bounded when many are made.
    private const int CacheSize = 4;
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };
    private static readonly LinkedList<(string Text, ExplainConfig Config)> Cache = new();

    private ExplainConfig(MriNetModel model, RelevanceOptions options)
    {
        Model = model;
        Options = options;
    }

    public MriNetModel Model { get; }

    public RelevanceOptions Options { get; }

    /// <summary>The configuration text of <paramref name="model"/> explained with <paramref name="options"/>.</summary>
    public static string Encode(MriNetModel model, RelevanceOptions options)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"xai4mri-explain-{Guid.NewGuid():N}.x4m");
        try
        {
            model.Save(temp);
            // The network is read back from these bytes before it is used, live as after ml.Model.Load: the
            // explanation is of a snapshot, which training the caller's network afterwards does not change.
            return $"{Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(options, Json)))}.{Convert.ToBase64String(File.ReadAllBytes(temp))}";
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The parsed configuration of <paramref name="text"/>.</summary>
    /// <exception cref="InvalidOperationException">The text is not a configuration <see cref="Encode"/> wrote.</exception>
    public static ExplainConfig Get(ReadOnlyMemory<char> text)
    {
        lock (Cache)
        {
            for (var node = Cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Text.AsSpan().SequenceEqual(text.Span))
                {
                    Cache.Remove(node);
                    Cache.AddFirst(node);
                    return node.Value.Config;
                }
            }
            string copy = text.ToString();
            var config = Parse(copy);
            Remember(copy, config);
            return config;
        }
    }

    private static void Remember(string text, ExplainConfig config)
    {
        Cache.AddFirst((text, config));
        while (Cache.Count > CacheSize)
        {
            Cache.RemoveLast();
        }
    }

    private static ExplainConfig Parse(string text)
    {
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            throw new InvalidOperationException($"{ExplainMappingFactory.ContractName}: the configuration column does not hold options and a network");
        }
        var options = JsonSerializer.Deserialize<RelevanceOptions>(Encoding.UTF8.GetString(Convert.FromBase64String(text[..dot])), Json)
            ?? throw new InvalidOperationException($"{ExplainMappingFactory.ContractName}: the configuration holds no options");
        string temp = Path.Combine(Path.GetTempPath(), $"xai4mri-explain-{Guid.NewGuid():N}.x4m");
        try
        {
            File.WriteAllBytes(temp, Convert.FromBase64String(text[(dot + 1)..]));
            return new ExplainConfig(MriNetModel.Load(temp), options);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
