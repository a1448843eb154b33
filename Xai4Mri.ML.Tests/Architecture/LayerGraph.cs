using System.Reflection;
using System.Reflection.Emit;

namespace Xai4Mri.ML.Tests.Architecture;

/// <summary>
/// Which folders (namespaces below <c>Xai4Mri.ML</c>) of an assembly use which others, read from the compiled code:
/// base types, interfaces, attributes, signatures of fields, properties, events and methods, local variables, and
/// every type, method and field a method body refers to (its IL). Compiler-generated types (lambdas, iterators)
/// count for the namespace of the type that declares them.
/// </summary>
internal sealed class LayerGraph
{
    private static readonly Dictionary<short, OpCode> OneByte = [];
    private static readonly Dictionary<short, OpCode> TwoByte = [];
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    static LayerGraph()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            (code.Size == 1 ? OneByte : TwoByte)[code.Value] = code;
        }
    }

    private readonly Assembly _assembly;
    private readonly string _root;

    /// <summary>Each edge (user layer → used layer) with up to a few examples "Type → Type".</summary>
    public Dictionary<(string From, string To), List<string>> Edges { get; } = [];

    /// <summary>The layers seen and the number of types in each.</summary>
    public SortedDictionary<string, int> Layers { get; } = new(StringComparer.Ordinal);

    public LayerGraph(Assembly assembly, string root)
    {
        _assembly = assembly;
        _root = root;
        foreach (var type in assembly.GetTypes())
        {
            string? layer = LayerOf(type);
            if (layer is null)
            {
                continue;
            }
            if (type.DeclaringType is null && !IsCompilerGenerated(type))
            {
                Layers[layer] = Layers.GetValueOrDefault(layer) + 1;
            }
            foreach (var used in Uses(type))
            {
                Add(type, used);
            }
        }
    }

    /// <summary>
    /// The folder of a type: the first namespace segment after the root, "" for the root namespace itself; null for
    /// types outside the root (what the compiler generates in the global or its own namespaces).
    /// </summary>
    public string? LayerOf(Type type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        string ns = type.Namespace ?? "";
        if (ns == _root)
        {
            return "";
        }
        if (!ns.StartsWith(_root + ".", StringComparison.Ordinal))
        {
            return null;
        }
        string rest = ns[(_root.Length + 1)..];
        int dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>A cycle among the layers (as a path that ends where it starts), or null when there is none.</summary>
    public List<string>? FindCycle()
    {
        var next = Edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (string to in next.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(to) == 1)
                {
                    return [.. path.Skip(path.IndexOf(to)), to];
                }
                if (state.GetValueOrDefault(to) == 0 && Visit(to) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (string node in next.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    private void Add(Type from, Type? used)
    {
        foreach (var t in Expand(used))
        {
            if (t.Assembly != _assembly)
            {
                continue;
            }
            string? a = LayerOf(from), b = LayerOf(t);
            if (a is null || b is null || a == b)
            {
                continue;
            }
            if (!Edges.TryGetValue((a, b), out var examples))
            {
                Edges[(a, b)] = examples = [];
            }
            string example = $"{Outer(from).Name} → {Outer(t).Name}";
            if (examples.Count < 5 && !examples.Contains(example))
            {
                examples.Add(example);
            }
        }
    }

    private static Type Outer(Type t)
    {
        while (t.DeclaringType is not null)
        {
            t = t.DeclaringType;
        }
        return t;
    }

    private static IEnumerable<Type> Expand(Type? t)
    {
        if (t is null)
        {
            yield break;
        }
        if (t.HasElementType)
        {
            foreach (var e in Expand(t.GetElementType()))
            {
                yield return e;
            }
            yield break;
        }
        if (t.IsGenericParameter)
        {
            yield break;
        }
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
        {
            yield return t.GetGenericTypeDefinition();
            foreach (var arg in t.GetGenericArguments())
            {
                foreach (var e in Expand(arg))
                {
                    yield return e;
                }
            }
            yield break;
        }
        yield return t;
    }

    private static bool IsCompilerGenerated(Type t) => t.Name.Contains('<', StringComparison.Ordinal);

    private static IEnumerable<Type?> Uses(Type type)
    {
        yield return type.BaseType;
        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }
        foreach (var a in type.CustomAttributes)
        {
            yield return a.AttributeType;
        }
        foreach (var f in type.GetFields(Declared))
        {
            yield return f.FieldType;
        }
        foreach (var p in type.GetProperties(Declared))
        {
            yield return p.PropertyType;
        }
        foreach (var e in type.GetEvents(Declared))
        {
            yield return e.EventHandlerType;
        }
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));
        foreach (var m in methods)
        {
            if (m is MethodInfo mi)
            {
                yield return mi.ReturnType;
            }
            foreach (var p in m.GetParameters())
            {
                yield return p.ParameterType;
            }
            foreach (var a in m.CustomAttributes)
            {
                yield return a.AttributeType;
            }
            foreach (var used in BodyUses(m))
            {
                yield return used;
            }
        }
    }

    /// <summary>Types a method body refers to: its locals, and the operands of every token-carrying instruction.</summary>
    private static IEnumerable<Type?> BodyUses(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }
        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }
        byte[] il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            OpCode code;
            if (il[pos] == 0xFE)
            {
                code = TwoByte[unchecked((short)(0xFE00 | il[pos + 1]))];
                pos += 2;
            }
            else
            {
                code = OneByte[il[pos]];
                pos += 1;
            }
            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    pos += 1;
                    break;
                case OperandType.InlineVar:
                    pos += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    pos += 8;
                    break;
                case OperandType.InlineSwitch:
                    int n = BitConverter.ToInt32(il, pos);
                    pos += 4 + (4 * n);
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                {
                    int token = BitConverter.ToInt32(il, pos);
                    pos += 4;
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        // A token the runtime cannot resolve in this context (none in our code); nothing to count.
                    }
                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case MethodBase mb:
                            yield return mb.DeclaringType;
                            if (mb is MethodInfo called)
                            {
                                yield return called.ReturnType;
                                if (called.IsGenericMethod)
                                {
                                    foreach (var a in called.GetGenericArguments())
                                    {
                                        yield return a;
                                    }
                                }
                            }
                            break;
                        case FieldInfo f:
                            yield return f.DeclaringType;
                            yield return f.FieldType;
                            break;
                    }
                    break;
                }
                default:
                    pos += 4;
                    break;
            }
        }
    }
}
